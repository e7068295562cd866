using Microsoft.AspNetCore.Http;
using OrderRelay.Connections;
using OrderRelay.Core;
using OrderRelay.Diagnostics;
using OrderRelay.Protocol;
using OrderRelay.Security;
using Prometheus;

namespace OrderRelay.Http;

/// <summary><c>GET /healthz</c>, <c>GET /metrics</c> and <c>GET /merchants/{id}</c>: what operators and order systems ask the relay.</summary>
internal static class StatusEndpoints
{
    public static async Task<IResult> HealthAsync(Relay relay, ConnectionRegistry registry, CancellationToken cancellationToken)
    {
        var storeHealthy = await relay.IsStoreHealthyAsync(cancellationToken);
        var healthy = storeHealthy && registry.IsAccepting;
        var body = new HealthResponse(healthy ? "ok" : "unavailable", registry.IsAccepting, storeHealthy, relay.Epoch, relay.LastSeq);
        return Results.Json(body, FrameEncoder.Json.HealthResponse,
            statusCode: healthy ? StatusCodes.Status200OK : StatusCodes.Status503ServiceUnavailable);
    }

    public static async Task MetricsAsync(HttpContext context, RelayMetrics metrics)
    {
        context.Response.ContentType = PrometheusConstants.TextContentTypeWithVersionAndEncoding;
        await metrics.Registry.CollectAndExportAsTextAsync(context.Response.Body, context.RequestAborted);
    }

    public static async Task<IResult> MerchantAsync(string id, HttpRequest request, Relay relay, RelayMetrics metrics, PublisherKeys keys,
        CancellationToken cancellationToken)
    {
        if (!BearerKey.Authorizes(request, keys))
        {
            return Problems.For(metrics, StatusCodes.Status401Unauthorized, ErrorCodes.AuthFailed,
                "A valid publisher key is required: Authorization: Bearer <key>.");
        }

        if (id.Length > ClientFrameParser.MaxIdentifierLength)
        {
            return Problems.For(metrics, StatusCodes.Status400BadRequest, ErrorCodes.BadFrame,
                $"A merchant id is at most {ClientFrameParser.MaxIdentifierLength} characters long.");
        }

        var status = await relay.GetMerchantStatusAsync(id, cancellationToken);
        var body = new MerchantStatusResponse(status.MerchantId, status.Online, status.DeliveredSeq, status.ConfirmedSeq,
            status.ConfirmedAt is { } at ? FrameEncoder.Timestamp(at) : null);
        return Results.Json(body, FrameEncoder.Json.MerchantStatusResponse);
    }
}
