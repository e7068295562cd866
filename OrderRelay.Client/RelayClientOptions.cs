using System.Net.WebSockets;
using Microsoft.Extensions.Logging;

namespace OrderRelay.Client;

/// <summary>Settings shared by <see cref="RelayPublisher"/> and <see cref="RelaySubscriber"/>.</summary>
public abstract class RelayClientOptions
{
    /// <summary>The relay's WebSocket address, e.g. <c>wss://relay.example.com/</c>. Required.</summary>
    public Uri? RelayUri { get; set; }

    /// <summary>How long opening the socket and getting the <c>welcome</c> may take (default 10 s).</summary>
    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>The first wait before reconnecting (default 0.5 s); it doubles after each failure, with jitter.</summary>
    public TimeSpan ReconnectDelay { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <summary>The longest wait between reconnection attempts (default 30 s).</summary>
    public TimeSpan MaxReconnectDelay { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// How often the client pings the relay at the WebSocket level, so a relay that vanished without
    /// closing is noticed (default 15 s; the relay pings too). <see cref="TimeSpan.Zero"/> turns it off.
    /// </summary>
    public TimeSpan KeepAliveInterval { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>A relay that does not answer a ping within this is dropped and the client reconnects (default 30 s).</summary>
    public TimeSpan KeepAliveTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>The largest message accepted from the relay (default 1 MiB): a bound on what one frame may allocate.</summary>
    public int MaxMessageBytes { get; set; } = 1024 * 1024;

    /// <summary>Further socket settings (headers, certificates, proxy); applied before each connection.</summary>
    public Action<ClientWebSocketOptions>? ConfigureWebSocket { get; set; }

    /// <summary>Where reconnections and refusals are logged; nothing is logged when null. Keys and tokens never are.</summary>
    public ILogger? Logger { get; set; }

    /// <summary>The clock for back-off delays (tests may pass their own).</summary>
    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;

    /// <summary>Throws <see cref="ArgumentException"/> naming the first bad setting.</summary>
    internal virtual void Validate()
    {
        if (RelayUri is null || !RelayUri.IsAbsoluteUri || RelayUri.Scheme is not ("ws" or "wss"))
        {
            throw new ArgumentException($"{nameof(RelayUri)} must be an absolute ws:// or wss:// address (was '{RelayUri}').", nameof(RelayUri));
        }

        Require(ConnectTimeout > TimeSpan.Zero, nameof(ConnectTimeout), "must be positive", ConnectTimeout);
        Require(ReconnectDelay > TimeSpan.Zero, nameof(ReconnectDelay), "must be positive", ReconnectDelay);
        Require(MaxReconnectDelay >= ReconnectDelay, nameof(MaxReconnectDelay), $"must be at least {nameof(ReconnectDelay)}", MaxReconnectDelay);
        Require(KeepAliveInterval >= TimeSpan.Zero, nameof(KeepAliveInterval), "must not be negative", KeepAliveInterval);
        Require(KeepAliveTimeout > TimeSpan.Zero, nameof(KeepAliveTimeout), "must be positive", KeepAliveTimeout);
        Require(MaxMessageBytes >= 1024, nameof(MaxMessageBytes), "must be at least 1024", MaxMessageBytes);
    }

    private protected static void Require(bool condition, string setting, string rule, object value)
    {
        if (!condition)
        {
            throw new ArgumentException($"{setting} {rule} (was {value}).", setting);
        }
    }
}
