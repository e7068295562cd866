namespace OrderRelay.Core;

/// <summary>Live state of one merchant: connected pages and the newest order sent to one of them.</summary>
internal sealed class MerchantActivity(string merchantId)
{
    private long _deliveredSeq;

    public string MerchantId { get; } = merchantId;

    /// <summary>Subscriber connections that named this merchant; changed under the relay's lock.</summary>
    public int Online { get; set; }

    public long DeliveredSeq => Volatile.Read(ref _deliveredSeq);

    /// <summary>Called by send loops after a write, concurrently: keeps the maximum.</summary>
    public void MarkDelivered(long seq)
    {
        var current = Volatile.Read(ref _deliveredSeq);
        while (seq > current)
        {
            var seen = Interlocked.CompareExchange(ref _deliveredSeq, seq, current);
            if (seen == current)
            {
                return;
            }

            current = seen;
        }
    }
}
