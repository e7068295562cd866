namespace OrderRelay.Configuration;

/// <summary>The <c>Relay:Limits</c> section: what one relay, one address, one token and one publisher may take.</summary>
internal sealed class LimitOptions
{
    public int MaxConnections { get; set; } = 100_000;

    public int MaxConnectionsPerAddress { get; set; } = 1_000;

    /// <summary>
    /// Connections from one address that have not completed <c>hello</c> yet. Small, so that
    /// sockets which never authenticate cannot take the slots merchants need.
    /// </summary>
    public int MaxPendingHandshakesPerAddress { get; set; } = 32;

    /// <summary>
    /// Connections from all addresses together that have not completed <c>hello</c> yet: a tenth
    /// of <see cref="MaxConnections"/> by default, room for a reconnect storm, never for all of it.
    /// </summary>
    public int MaxPendingHandshakes { get; set; } = 10_000;

    /// <summary>Simultaneous subscriber connections presenting the same token.</summary>
    public int MaxSubscribersPerToken { get; set; } = 20;

    /// <summary>Sustained publishes per second per publisher connection (and per key over HTTP).</summary>
    public int PublishRatePerSecond { get; set; } = 5_000;

    /// <summary>Publishes a publisher may send at once above its sustained rate.</summary>
    public int PublishBurst { get; set; } = 10_000;
}
