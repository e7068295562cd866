using OrderRelay.Protocol;

namespace OrderRelay.Storage;

/// <summary>
/// The order journal: assigns sequence numbers, remembers idempotency keys, keeps history
/// for replay and merchants' confirmations. The one seam where implementations swap; it
/// takes and returns plain data, and the relay core makes its delivery frames from that.
/// </summary>
internal interface IOrderStore : IAsyncDisposable
{
    /// <summary>Opens or creates the journal and reports where it stands.</summary>
    ValueTask<JournalState> OpenAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Decides every entry of a batch into <paramref name="results"/> (<c>results[i]</c> for
    /// <c>entries[i]</c>): a new seq, or an earlier one for a known key. When it returns, the
    /// accepted orders are stored as durably as this store can; when it throws, none of the
    /// batch was accepted. The caller owns <paramref name="results"/> and reuses it batch after
    /// batch, so that deciding a batch allocates nothing for its answers.
    /// </summary>
    ValueTask AppendAsync(IReadOnlyList<JournalEntry> entries, DateTimeOffset acceptedAt, AppendResult[] results, CancellationToken cancellationToken);

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

/// <summary>One order handed to <see cref="IOrderStore.AppendAsync"/>.</summary>
/// <param name="Order">The order object exactly as the publisher sent it; kept as is, never copied.</param>
/// <param name="Publisher">Who published it, for receipts; null for the demo.</param>
/// <param name="OnlinePages">Pages of its merchant connected to this node when the sequencer took it, for order status.</param>
internal readonly record struct JournalEntry(string? IdempotencyKey, string? MerchantId, byte[] Order, string? Publisher, int OnlinePages);

/// <summary>What the journal made of one entry.</summary>
/// <param name="Seq">The new order's seq; for a duplicate, the seq its key was accepted under.</param>
/// <param name="EscalationRefused">Accepted without an escalation obligation: the pending limit was reached.</param>
internal readonly record struct AppendResult(long Seq, bool Duplicate, bool EscalationRefused)
{
    public static AppendResult Accepted(long seq, bool escalationRefused = false) => new(seq, Duplicate: false, escalationRefused);

    public static AppendResult DuplicateOf(long originalSeq) => new(originalSeq, Duplicate: true, EscalationRefused: false);
}

/// <summary>One kept order, as a replay page or a feed hands it back.</summary>
/// <param name="Order">The order object exactly as the publisher sent it.</param>
internal readonly record struct StoredOrder(long Seq, DateTimeOffset AcceptedAt, string? MerchantId, string? IdempotencyKey, byte[] Order);

/// <param name="Orders">The orders found, in seq order.</param>
/// <param name="ScannedThroughSeq">Every order up to this seq has been looked at; equal to the
/// requested seq when nothing more is kept.</param>
internal sealed record ReplayPage(IReadOnlyList<StoredOrder> Orders, long ScannedThroughSeq);

internal sealed record MerchantConfirmation(long Seq, DateTimeOffset ConfirmedAt);
