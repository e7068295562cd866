namespace OrderRelay.Configuration;

/// <summary>The <c>Relay:Status</c> section: the live status page at <c>/status/</c>.</summary>
internal sealed class StatusPageOptions
{
    public bool Enabled { get; set; } = true;

    /// <summary>
    /// With no publisher keys there is no key to ask for, so the page is served to loopback
    /// clients only; this serves it to every client instead. With keys it has no meaning: the key opens the page.
    /// </summary>
    public bool AllowRemote { get; set; }
}
