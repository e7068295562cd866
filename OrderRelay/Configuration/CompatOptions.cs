namespace OrderRelay.Configuration;

/// <summary>The <c>Relay:Compat</c> section: paths that speak an older protocol than version 1.</summary>
internal sealed class CompatOptions
{
    /// <summary>
    /// Where the seed's own programs connect (bare order JSON in, bare order JSON out; docs/compat.md);
    /// empty, the default, serves no such path.
    /// </summary>
    public string SeedPath { get; set; } = "";

    public bool SeedEnabled => SeedPath.Length > 0;
}
