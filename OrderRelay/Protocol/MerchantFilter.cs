namespace OrderRelay.Protocol;

/// <summary>Which orders a subscriber receives: every order, or only those of listed merchants.</summary>
internal sealed class MerchantFilter
{
    public static readonly MerchantFilter Everything = new(null, null);

    // Up to this many merchants a linear search is as quick as hashing, and most pages follow
    // one merchant: an array of one instead of a set saves about 150 bytes per connection.
    private const int MaxSearchedWithoutSet = 8;

    private readonly string[]? _merchants;
    private readonly HashSet<string>? _lookup;

    private MerchantFilter(string[]? merchants, HashSet<string>? lookup)
    {
        _merchants = merchants;
        _lookup = lookup;
    }

    public static MerchantFilter For(IEnumerable<string> merchantIds)
    {
        var merchants = merchantIds.Distinct(StringComparer.Ordinal).ToArray();
        return new(merchants, merchants.Length > MaxSearchedWithoutSet ? new HashSet<string>(merchants, StringComparer.Ordinal) : null);
    }

    /// <summary>True for a subscriber that asked for every merchant (and so also gets orders without one).</summary>
    public bool IsEverything => _merchants is null;

    /// <summary>The merchants asked for; empty for <see cref="Everything"/>.</summary>
    public IReadOnlyCollection<string> Merchants => _merchants ?? [];

    public bool Allows(string? merchantId) =>
        _merchants is null || (merchantId is not null && (_lookup?.Contains(merchantId) ?? Array.IndexOf(_merchants, merchantId) >= 0));
}
