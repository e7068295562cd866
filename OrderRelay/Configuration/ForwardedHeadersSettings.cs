namespace OrderRelay.Configuration;

/// <summary>
/// The <c>Relay:ForwardedHeaders</c> section: the reverse proxies whose <c>X-Forwarded-For</c>
/// and <c>X-Forwarded-Proto</c> the relay believes. Empty (the default): no header is believed,
/// and every client is the address its TCP connection comes from.
/// </summary>
internal sealed class ForwardedHeadersSettings
{
    /// <summary>Proxy addresses, e.g. <c>127.0.0.1</c> for nginx on the same machine.</summary>
    public List<string> KnownProxies { get; set; } = [];

    /// <summary>Proxy networks in CIDR notation, e.g. <c>10.0.0.0/8</c>.</summary>
    public List<string> KnownNetworks { get; set; } = [];

    public bool IsEnabled => KnownProxies.Count > 0 || KnownNetworks.Count > 0;
}
