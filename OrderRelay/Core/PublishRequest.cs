namespace OrderRelay.Core;

/// <summary>
/// A publish waiting for the sequencer. The store decides its fate (accepted with a new
/// seq, or a duplicate of an earlier one); the relay completes it after fan-out.
/// </summary>
/// <param name="publisher">Who published it, for receipts: a key's fingerprint, or <c>open</c> in open mode; null for the demo.</param>
internal sealed class PublishRequest(string? idempotencyKey, string? merchantId, byte[] order, string? publisher = null)
    : TaskCompletionSource<PublishOutcome>(TaskCreationOptions.RunContinuationsAsynchronously)
{
    public string? IdempotencyKey { get; } = idempotencyKey;

    public string? MerchantId { get; } = merchantId;

    public byte[] Order { get; } = order;

    public string? Publisher { get; } = publisher;

    /// <summary>Pages of its merchant connected to this node when the sequencer took it; set by the relay.</summary>
    public int OnlinePages { get; set; }

    /// <summary>Set by the store when the order was accepted without an escalation obligation (the pending limit was reached).</summary>
    public bool EscalationRefused { get; set; }

    /// <summary>Set by the store when the order is new.</summary>
    public OrderRecord? Record { get; private set; }

    /// <summary>Set by the store when the idempotency key was already accepted.</summary>
    public long DuplicateOfSeq { get; private set; }

    public void MarkAccepted(OrderRecord record) => Record = record;

    public void MarkDuplicate(long originalSeq) => DuplicateOfSeq = originalSeq;

    public PublishOutcome Outcome => Record is { } record
        ? new PublishOutcome(record.Seq, Duplicate: false)
        : new PublishOutcome(DuplicateOfSeq, Duplicate: true);
}

internal readonly record struct PublishOutcome(long Seq, bool Duplicate);
