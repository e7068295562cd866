using OrderRelay.Core;

namespace OrderRelay.Storage;

/// <summary>
/// The order journal: assigns sequence numbers, remembers idempotency keys, keeps history
/// for replay and merchants' confirmations. The one seam where implementations swap.
/// </summary>
internal interface IOrderStore : IAsyncDisposable
{
    /// <summary>Opens or creates the journal and reports where it stands.</summary>
    ValueTask<JournalState> OpenAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Decides every request of a batch: a new seq (<see cref="PublishRequest.MarkAccepted"/>)
    /// or an earlier one for a known key (<see cref="PublishRequest.MarkDuplicate"/>).
    /// When it returns, the accepted orders are stored as durably as this store can; when it
    /// throws, none of the batch was accepted.
    /// </summary>
    ValueTask AppendAsync(IReadOnlyList<PublishRequest> batch, DateTimeOffset acceptedAt, CancellationToken cancellationToken);

    /// <summary>Up to <paramref name="maxCount"/> kept orders after a seq that a filter allows, oldest first.</summary>
    ValueTask<ReplayPage> ReadAfterAsync(long afterSeq, MerchantFilter filter, int maxCount, CancellationToken cancellationToken);

    /// <summary>The oldest seq still kept; the newest seq plus one when nothing is kept.</summary>
    long FirstRetainedSeq { get; }

    ValueTask RecordConfirmationAsync(string merchantId, long seq, DateTimeOffset confirmedAt, CancellationToken cancellationToken);

    ValueTask<MerchantConfirmation?> GetConfirmationAsync(string merchantId, CancellationToken cancellationToken);

    /// <summary>True while the store can take writes.</summary>
    ValueTask<bool> IsHealthyAsync(CancellationToken cancellationToken);
}

internal sealed record JournalState(string Epoch, long LastSeq)
{
    /// <summary>A fresh epoch name (<c>e-</c> and 8 random hex digits), for a journal that starts a sequence.</summary>
    public static string NewEpoch() => "e-" + System.Security.Cryptography.RandomNumberGenerator.GetHexString(8, lowercase: true);
}

/// <param name="Orders">The orders found, in seq order.</param>
/// <param name="ScannedThroughSeq">Every order up to this seq has been looked at; equal to the
/// requested seq when nothing more is kept.</param>
internal sealed record ReplayPage(IReadOnlyList<OrderRecord> Orders, long ScannedThroughSeq);

internal sealed record MerchantConfirmation(long Seq, DateTimeOffset ConfirmedAt);
