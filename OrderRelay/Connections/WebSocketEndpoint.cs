using System.Net.WebSockets;
using Microsoft.AspNetCore.Http;

namespace OrderRelay.Connections;

/// <summary>The Kestrel edge: upgrades requests on the relay's path and hands each socket to a <see cref="RelayConnection"/>.</summary>
internal static class WebSocketEndpoint
{
    public static async Task HandleAsync(HttpContext context, ConnectionRegistry registry, RelayConnectionServices services)
    {
        if (!context.WebSockets.IsWebSocketRequest)
        {
            context.Response.StatusCode = StatusCodes.Status426UpgradeRequired;
            context.Response.Headers.Upgrade = "websocket";
            await context.Response.WriteAsync("OrderRelay speaks WebSocket here; see docs/protocol.md.\n", context.RequestAborted);
            return;
        }

        if (!registry.IsAccepting)
        {
            context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
            return;
        }

        var options = services.Options;
        if (!IsAllowedOrigin(context.Request.Headers.Origin, options.AllowedOrigins))
        {
            context.Response.StatusCode = StatusCodes.Status403Forbidden;
            await context.Response.WriteAsync("This origin may not connect (Relay:AllowedOrigins).\n", context.RequestAborted);
            return;
        }

        var (lease, refusal) = services.Limiter.TryAdmit(context.Connection.RemoteIpAddress);
        if (lease is null)
        {
            context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
            await context.Response.WriteAsync(refusal + "\n", context.RequestAborted);
            return;
        }

        using var admitted = lease;
        using var socket = await context.WebSockets.AcceptWebSocketAsync(new WebSocketAcceptContext
        {
            KeepAliveInterval = options.KeepAliveInterval,
            KeepAliveTimeout = options.KeepAliveTimeout,
        });
        await RunAsync(socket, registry, services);
    }

    /// <summary>Serves an accepted socket until its connection has ended; both edges (this and <see cref="WebSocketConnectionMiddleware"/>) end here.</summary>
    internal static Task RunAsync(WebSocket socket, ConnectionRegistry registry, RelayConnectionServices services)
    {
        var connection = new RelayConnection(socket, registry.NextConnectionId(), services);
        if (!registry.TryAdd(connection))
        {
            connection.Shutdown();
        }

        return connection.RunAsync();
    }

    /// <summary>Requests without an Origin header come from non-browser clients, which an origin list cannot restrict anyway.</summary>
    internal static bool IsAllowedOrigin(string? origin, List<string> allowed) =>
        allowed.Count == 0 || origin is null ||
        allowed.Exists(entry => string.Equals(entry.TrimEnd('/'), origin.TrimEnd('/'), StringComparison.OrdinalIgnoreCase));
}
