using Microsoft.AspNetCore.Http;
using OrderRelay.Diagnostics;
using OrderRelay.Protocol;

namespace OrderRelay.Http;

/// <summary>RFC 9457 problem details carrying the protocol's error code, so HTTP and WebSocket clients read one vocabulary.</summary>
internal static class Problems
{
    public static IResult For(RelayMetrics metrics, int status, string code, string detail)
    {
        metrics.Errors.WithLabels(code).Inc();
        return Results.Problem(
            detail: detail,
            statusCode: status,
            title: code,
            extensions: new Dictionary<string, object?> { ["code"] = code });
    }

    public static int StatusOf(string code) => code switch
    {
        ErrorCodes.BadJson or ErrorCodes.BadFrame => StatusCodes.Status400BadRequest,
        ErrorCodes.TooLarge => StatusCodes.Status413PayloadTooLarge,
        ErrorCodes.RateLimited => StatusCodes.Status429TooManyRequests,
        ErrorCodes.AuthFailed => StatusCodes.Status401Unauthorized,
        ErrorCodes.StoreUnavailable or ErrorCodes.ServerShutdown => StatusCodes.Status503ServiceUnavailable,
        _ => StatusCodes.Status500InternalServerError,
    };
}
