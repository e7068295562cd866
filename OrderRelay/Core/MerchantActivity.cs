namespace OrderRelay.Core;

/// <summary>Live state of one merchant: connected pages and the newest order sent to one of them.</summary>
internal sealed class MerchantActivity(string merchantId)
{
    private long _deliveredSeq;

    public string MerchantId { get; } = merchantId;

    /// <summary>Subscriber connections that named this merchant; changed under the relay's lock.</summary>
    public int Online { get; set; }

    public long DeliveredSeq => Volatile.Read(ref _deliveredSeq);

    /// <summary>The newest order fanned out for this merchant; changed under the relay's lock.</summary>
    public long PublishedSeq { get; private set; }

    /// <summary>The newest seq a page confirmed, as far as this relay has seen; changed under the relay's lock.</summary>
    public long ConfirmedSeq { get; private set; }

    public DateTimeOffset? ConfirmedAt { get; private set; }

    /// <summary>When the first order after the merchant's last complete confirmation was accepted; null when nothing waits.</summary>
    public DateTimeOffset? UnconfirmedSince { get; private set; }

    public bool HasUnconfirmed => PublishedSeq > ConfirmedSeq;

    public void NotePublished(long seq, DateTimeOffset acceptedAt)
    {
        if (!HasUnconfirmed)
        {
            UnconfirmedSince = acceptedAt;
        }

        PublishedSeq = Math.Max(PublishedSeq, seq);
    }

    public void NoteConfirmed(long seq, DateTimeOffset? confirmedAt)
    {
        if (seq <= ConfirmedSeq)
        {
            return;
        }

        ConfirmedSeq = seq;
        ConfirmedAt = confirmedAt;
        if (!HasUnconfirmed)
        {
            UnconfirmedSince = null;
        }
    }

    /// <summary>Called by connections after each write, concurrently: keeps the maximum.</summary>
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
