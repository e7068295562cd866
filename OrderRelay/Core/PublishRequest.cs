using OrderRelay.Protocol;

namespace OrderRelay.Core;

/// <summary>
/// A publish waiting for the sequencer, which completes it once the store has decided it
/// (a new seq, or the seq of an earlier order with the same key) and the order is fanned out.
/// </summary>
/// <param name="publisher">Who published it, for receipts: a key's fingerprint, or <c>open</c> in open mode; null for the demo.</param>
internal sealed class PublishRequest(string? idempotencyKey, string? merchantId, byte[] order, string? publisher = null)
    : TaskCompletionSource<PublishOutcome>(TaskCreationOptions.RunContinuationsAsynchronously)
{
    public string? IdempotencyKey { get; } = idempotencyKey;

    public string? MerchantId { get; } = merchantId;

    public byte[] Order { get; } = order;

    public string? Publisher { get; } = publisher;
}
