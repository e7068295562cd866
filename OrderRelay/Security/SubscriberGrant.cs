using OrderRelay.Protocol;

namespace OrderRelay.Security;

/// <summary>What a subscriber may read, from its token (or everything in open mode), and until when.</summary>
/// <param name="Merchants">The merchants granted; null for every merchant (<c>["*"]</c> or open mode).</param>
/// <param name="TokenId">Identifies the token for per-token limits: its <c>jti</c>, else a digest of it; null in open mode.</param>
internal sealed record SubscriberGrant(IReadOnlySet<string>? Merchants, DateTimeOffset? ExpiresAt, string? TokenId)
{
    public static SubscriberGrant Everything { get; } = new(null, null, null);

    /// <summary>
    /// The filter for a connection that asked for <paramref name="requested"/> (null: not said),
    /// or null when it asked for a merchant the grant does not cover.
    /// </summary>
    public MerchantFilter? FilterFor(IReadOnlyList<string>? requested)
    {
        if (requested is null)
        {
            return Merchants is null ? MerchantFilter.Everything : MerchantFilter.For(Merchants);
        }

        return Merchants is null || requested.All(Merchants.Contains) ? MerchantFilter.For(requested) : null;
    }
}
