namespace OrderRelay.Core;

/// <summary>Which orders a subscriber receives: every order, or only those of listed merchants.</summary>
internal sealed class MerchantFilter
{
    public static readonly MerchantFilter Everything = new(null);

    private readonly HashSet<string>? _merchants;

    private MerchantFilter(HashSet<string>? merchants) => _merchants = merchants;

    public static MerchantFilter For(IEnumerable<string> merchantIds) => new(new HashSet<string>(merchantIds, StringComparer.Ordinal));

    /// <summary>True for a subscriber that asked for every merchant (and so also gets orders without one).</summary>
    public bool IsEverything => _merchants is null;

    /// <summary>The merchants asked for; empty for <see cref="Everything"/>.</summary>
    public IReadOnlyCollection<string> Merchants => (IReadOnlyCollection<string>?)_merchants ?? [];

    public bool Allows(string? merchantId) => _merchants is null || (merchantId is not null && _merchants.Contains(merchantId));
}
