using Microsoft.AspNetCore.Http;

namespace OrderRelay.Http;

/// <summary>
/// A 200 whose JSON body is already encoded. <c>Results.Json</c> and <c>Results.Bytes</c> ask the
/// host for a logger each time they run, and Serilog's logger factory builds a new one with its
/// caches on every call: about 3 KB of garbage on every publish, for a log line never written.
/// </summary>
internal sealed class Utf8JsonResult(byte[] utf8) : IResult
{
    public Task ExecuteAsync(HttpContext httpContext)
    {
        var response = httpContext.Response;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = "application/json; charset=utf-8";
        response.ContentLength = utf8.Length;
        return response.Body.WriteAsync(utf8, httpContext.RequestAborted).AsTask();
    }
}
