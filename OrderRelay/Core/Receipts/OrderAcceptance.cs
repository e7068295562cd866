using OrderRelay.Protocol;
using OrderRelay.Storage;

namespace OrderRelay.Core.Receipts;

/// <summary>
/// A person's accept of an order on a merchant page: allowed only for an order of the page's own
/// merchants, recorded once in the journal. Every page of the merchant hears of it from the
/// <see cref="AcceptedBroadcaster"/>, which follows the journal's events, so pages on other nodes do too.
/// </summary>
internal sealed class OrderAcceptance(IOrderTracking tracking, TimeProvider time)
{
    public async ValueTask<AcceptOutcome> AcceptAsync(MerchantFilter filter, long seq, CancellationToken cancellationToken)
    {
        var order = await tracking.FindOrderAsync(seq, cancellationToken).ConfigureAwait(false);
        if (order is null)
        {
            return new AcceptOutcome(AcceptResult.UnknownSeq, null, null);
        }

        if (!filter.Allows(order.MerchantId))
        {
            return new AcceptOutcome(AcceptResult.NotYours, order.MerchantId, null);
        }

        if (order.MerchantAcceptedAt is { } earlier)
        {
            return new AcceptOutcome(AcceptResult.AlreadyAccepted, order.MerchantId, earlier);
        }

        var accepted = await tracking.AcceptAsync(seq, time.GetUtcNow(), cancellationToken).ConfigureAwait(false);
        return accepted?.MerchantAcceptedAt is { } at
            ? new AcceptOutcome(AcceptResult.Accepted, order.MerchantId, at)
            : new AcceptOutcome(AcceptResult.UnknownSeq, null, null);
    }
}

internal enum AcceptResult
{
    /// <summary>Recorded now (or by a concurrent accept): the broadcast tells every page, the sender included.</summary>
    Accepted,

    /// <summary>Accepted before: the sender alone is told again, with the first time.</summary>
    AlreadyAccepted,
    NotYours,
    UnknownSeq,
}

internal readonly record struct AcceptOutcome(AcceptResult Result, string? MerchantId, DateTimeOffset? At);
