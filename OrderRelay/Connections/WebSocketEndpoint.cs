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
        using var socket = await context.WebSockets.AcceptWebSocketAsync(new WebSocketAcceptContext
        {
            KeepAliveInterval = options.KeepAliveInterval,
            KeepAliveTimeout = options.KeepAliveTimeout,
        });
        var connection = new RelayConnection(socket, registry.NextConnectionId(), services);
        if (!registry.TryAdd(connection))
        {
            connection.Shutdown();
        }

        try
        {
            await connection.RunAsync();
        }
        finally
        {
            registry.Remove(connection);
        }
    }
}
