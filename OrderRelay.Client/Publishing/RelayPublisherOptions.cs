namespace OrderRelay.Client;

/// <summary>Settings of a <see cref="RelayPublisher"/>; checked when the publisher is created.</summary>
public sealed class RelayPublisherOptions : RelayClientOptions
{
    /// <summary>The publisher key (sent in <c>hello</c> and as <c>Authorization: Bearer</c>); null for a relay in open mode.</summary>
    public string? Key { get; set; }

    /// <summary>
    /// How many publishes may be sent and not yet acknowledged (default 256). Further calls to
    /// <see cref="RelayPublisher.PublishAsync(string, string?, CancellationToken)"/> wait for room.
    /// </summary>
    public int MaxInFlight { get; set; } = 256;

    /// <summary>
    /// False: every publish is a <c>POST /publish</c> and no socket is held (for backends that publish
    /// rarely). <see cref="RelayClientOptions.RelayUri"/> still names the relay. Default true.
    /// </summary>
    public bool UseWebSocket { get; set; } = true;

    /// <summary>
    /// When the socket cannot be opened, publish over <c>POST /publish</c> until it can (default true).
    /// The same idempotency id is used either way, so an order never counts twice.
    /// </summary>
    public bool HttpFallback { get; set; } = true;

    /// <summary>The HTTP publish address; by default <c>/publish</c> on the relay's host (http for ws, https for wss).</summary>
    public Uri? HttpPublishUri { get; set; }

    /// <summary>How long one HTTP publish may take (default 15 s).</summary>
    public TimeSpan HttpTimeout { get; set; } = TimeSpan.FromSeconds(15);

    internal Uri ResolvedHttpPublishUri => HttpPublishUri
        ?? new UriBuilder(RelayUri!) { Scheme = RelayUri!.Scheme == "wss" ? "https" : "http", Path = "/publish", Query = "" }.Uri;

    internal override void Validate()
    {
        base.Validate();
        Require(MaxInFlight is >= 1 and <= 65_536, nameof(MaxInFlight), "must be between 1 and 65536", MaxInFlight);
        Require(HttpTimeout > TimeSpan.Zero, nameof(HttpTimeout), "must be positive", HttpTimeout);
        Require(HttpPublishUri is null || (HttpPublishUri.IsAbsoluteUri && HttpPublishUri.Scheme is "http" or "https"),
            nameof(HttpPublishUri), "must be an absolute http:// or https:// address", HttpPublishUri!);
        Require(Key is null || Key.Length > 0, nameof(Key), "must not be empty (leave it null for open mode)", "\"\"");
    }
}
