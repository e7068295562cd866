using System.Net;
using Microsoft.AspNetCore.Http;
using OrderRelay.Configuration;
using OrderRelay.Security;

namespace OrderRelay.Connections;

/// <summary>
/// Whether a WebSocket upgrade on the relay's path is admitted: the one decision both edges
/// (<see cref="WebSocketConnectionMiddleware"/> and <see cref="WebSocketEndpoint"/>) make,
/// so that a check added here holds on both.
/// </summary>
internal sealed class ConnectionAdmission(RelayOptions options, ConnectionRegistry registry, ConnectionLimiter limiter)
{
    /// <param name="client">The client's address as <see cref="ClientAddresses"/> decided it.</param>
    /// <param name="origin">The browser's Origin header; null when absent.</param>
    public Admission Admit(IPAddress? client, string? origin)
    {
        if (!registry.IsAccepting)
        {
            return Admission.Refused(StatusCodes.Status503ServiceUnavailable, "The relay is shutting down; reconnect shortly.");
        }

        if (!IsAllowedOrigin(origin))
        {
            return Admission.Refused(StatusCodes.Status403Forbidden, "This origin may not connect (Relay:AllowedOrigins).");
        }

        var (lease, refusal) = limiter.TryAdmit(client);
        return lease is null ? Admission.Refused(StatusCodes.Status503ServiceUnavailable, refusal!) : new Admission(lease, 0, null);
    }

    /// <summary>Requests without an Origin header come from non-browser clients, which an origin list cannot restrict anyway.</summary>
    private bool IsAllowedOrigin(string? origin) =>
        options.AllowedOrigins.Count == 0 || origin is null ||
        options.AllowedOrigins.Exists(entry => string.Equals(entry.TrimEnd('/'), origin.TrimEnd('/'), StringComparison.OrdinalIgnoreCase));
}
