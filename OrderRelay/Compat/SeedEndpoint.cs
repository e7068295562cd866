using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OrderRelay.Connections;

namespace OrderRelay.Compat;

/// <summary>
/// <c>Relay:Compat:SeedPath</c>: WebSocket upgrades from the seed's programs, admitted as the
/// relay's own are (limits, origins, shutdown), each then served by a <see cref="SeedConnection"/>.
/// </summary>
internal static class SeedEndpoint
{
    public static void AddServices(IServiceCollection services)
    {
        services.AddSingleton<SeedConnections>();
        services.AddHostedService(provider => provider.GetRequiredService<SeedConnections>());
    }

    public static void Map(WebApplication app, string path) => app.Map(path, HandleAsync);

    private static async Task HandleAsync(HttpContext context, RelayConnectionServices services, SeedConnections open, ILogger<SeedConnection> logger)
    {
        if (!context.WebSockets.IsWebSocketRequest)
        {
            context.Response.StatusCode = StatusCodes.Status426UpgradeRequired;
            context.Response.Headers.Upgrade = "websocket";
            await context.Response.WriteAsync("The seed compatibility path speaks WebSocket; see docs/compat.md.\n", context.RequestAborted);
            return;
        }

        // The seed's backend can put its key only in the address; the request logs never show it (SecretRedaction).
        string? key = context.Request.Query["key"];
        var keys = services.PublisherKeys;
        if (key is not null && keys.Required && !keys.Accepts(key))
        {
            context.Response.StatusCode = StatusCodes.Status401Unauthorized;
            await context.Response.WriteAsync("The publisher key in ?key= is not valid.\n", context.RequestAborted);
            return;
        }

        var admission = await WebSocketEndpoint.AdmitAsync(context, services);
        if (admission.Lease is null)
        {
            return;
        }

        using var lease = admission.Lease;
        // There is no hello to wait for: the connection is whole once upgraded.
        lease.CompleteHandshake();
        using var socket = await context.WebSockets.AcceptWebSocketAsync(new WebSocketAcceptContext
        {
            KeepAliveInterval = services.Options.KeepAliveInterval,
            KeepAliveTimeout = services.Options.KeepAliveTimeout,
        });
        var connection = new SeedConnection(socket, services.Registry.NextConnectionId(), lease.Address, !keys.Required || key is not null, services, logger);
        open.Add(connection);
        try
        {
            await connection.RunAsync();
        }
        finally
        {
            open.Remove(connection);
        }
    }
}
