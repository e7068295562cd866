using System.Net.WebSockets;
using Microsoft.AspNetCore.Http;
using Microsoft.Net.Http.Headers;

namespace OrderRelay.Connections;

/// <summary>
/// The relay's path on Kestrel's HTTP pipeline: the upgrades <see cref="WebSocketConnectionMiddleware"/>
/// left to Kestrel (refusals, unusual heads, heads not complete in time, HTTP/2), answered with ASP.NET Core's WebSocket
/// middleware and the RFC 6455 statuses, each socket then served by a <see cref="RelayConnection"/>.
/// </summary>
internal static class WebSocketEndpoint
{
    private const string SupportedVersion = "13";

    public static async Task HandleAsync(HttpContext context, RelayConnectionServices services)
    {
        if (!context.WebSockets.IsWebSocketRequest)
        {
            await RefuseHandshakeAsync(context);
            return;
        }

        var admission = await AdmitAsync(context, services);
        if (admission.Lease is null)
        {
            return;
        }

        using var lease = admission.Lease;
        var options = services.Options;
        using var socket = await context.WebSockets.AcceptWebSocketAsync(new WebSocketAcceptContext
        {
            KeepAliveInterval = options.KeepAliveInterval,
            KeepAliveTimeout = options.KeepAliveTimeout,
        });
        await RunAsync(socket, admission, services);
    }

    /// <summary>
    /// Admits the request's client, by the address the forwarded-headers middleware has already
    /// put on the connection, or answers with the refusal; a refused admission has no lease.
    /// </summary>
    internal static async Task<Admission> AdmitAsync(HttpContext context, RelayConnectionServices services)
    {
        var admission = services.Admission.Admit(context.Connection.RemoteIpAddress, context.Request.Headers.Origin);
        if (admission.Lease is null)
        {
            context.Response.StatusCode = admission.RefusalStatus;
            await context.Response.WriteAsync(admission.Refusal + "\n", context.RequestAborted);
        }

        return admission;
    }

    /// <summary>Serves an accepted socket until its connection has ended; both edges end here.</summary>
    internal static Task<ReceiveEnding> RunAsync(WebSocket socket, Admission admission, RelayConnectionServices services)
    {
        var connection = new RelayConnection(socket, services.Registry.NextConnectionId(), admission, services);
        if (!services.Registry.TryAdd(connection))
        {
            connection.Shutdown();
        }

        return connection.RunAsync();
    }

    /// <summary>
    /// RFC 6455 4.2.2 and 4.4: a version other than 13 gets 426 naming the version spoken; any
    /// other broken handshake (method, Connection, key) gets 400; a plain request gets 426 too.
    /// </summary>
    private static Task RefuseHandshakeAsync(HttpContext context)
    {
        var headers = context.Request.Headers;
        var asksForWebSocket = headers.Upgrade.Any(value => value?.Contains("websocket", StringComparison.OrdinalIgnoreCase) == true);
        var speaksVersion13 = headers.SecWebSocketVersion is [SupportedVersion];
        context.Response.Headers.SecWebSocketVersion = SupportedVersion;
        if (asksForWebSocket && speaksVersion13)
        {
            context.Response.StatusCode = StatusCodes.Status400BadRequest;
            return context.Response.WriteAsync("Not a valid WebSocket handshake (RFC 6455 4.1: GET, Connection: Upgrade, a 16-byte Sec-WebSocket-Key).\n",
                context.RequestAborted);
        }

        context.Response.StatusCode = StatusCodes.Status426UpgradeRequired;
        context.Response.Headers.Upgrade = "websocket";
        context.Response.Headers.Connection = HeaderNames.Upgrade;
        return context.Response.WriteAsync(asksForWebSocket
            ? "OrderRelay speaks WebSocket version 13 only.\n"
            : "OrderRelay speaks WebSocket here; see docs/protocol.md.\n", context.RequestAborted);
    }
}
