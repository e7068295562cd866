using OrderRelay.Protocol;

namespace OrderRelay.Core;

/// <summary>
/// The subscribers receiving live orders, indexed by merchant, and the per-merchant online
/// counts that follow them. Not thread-safe: the relay guards it with its fan-out lock.
/// </summary>
internal sealed class LiveSubscribers(MerchantLedger ledger)
{
    private readonly HashSet<Subscriber> _everyMerchant = [];
    private readonly Dictionary<string, List<Subscriber>> _byMerchant = new(StringComparer.Ordinal);

    public void Add(Subscriber subscriber)
    {
        if (subscriber.Filter.IsEverything)
        {
            _everyMerchant.Add(subscriber);
            return;
        }

        foreach (var merchantId in subscriber.Filter.Merchants)
        {
            if (!_byMerchant.TryGetValue(merchantId, out var subscribers))
            {
                _byMerchant[merchantId] = subscribers = [];
            }

            subscribers.Add(subscriber);
            ledger.GetOrAdd(merchantId).Online++;
        }
    }

    public void Remove(Subscriber subscriber)
    {
        if (subscriber.Filter.IsEverything)
        {
            _everyMerchant.Remove(subscriber);
            return;
        }

        foreach (var merchantId in subscriber.Filter.Merchants)
        {
            if (_byMerchant.TryGetValue(merchantId, out var subscribers) && subscribers.Remove(subscriber))
            {
                if (subscribers.Count == 0)
                {
                    _byMerchant.Remove(merchantId);
                }

                if (ledger.Find(merchantId) is { } activity)
                {
                    activity.Online--;
                }
            }
        }
    }

    /// <summary>Removes every subscriber, returning them: the epoch they were welcomed in has ended.</summary>
    public List<Subscriber> RemoveAll()
    {
        var removed = new List<Subscriber>(_everyMerchant);
        foreach (var subscribers in _byMerchant.Values)
        {
            removed.AddRange(subscribers);
        }

        // A subscriber of several merchants is listed once per merchant.
        removed = [.. removed.Distinct()];
        foreach (var subscriber in removed)
        {
            Remove(subscriber);
        }

        return removed;
    }

    /// <summary>
    /// Queues <paramref name="record"/> for every subscriber entitled to it, never waiting.
    /// A subscriber whose queue is full is removed and added to <paramref name="overflowed"/>.
    /// </summary>
    public void Deliver(OrderRecord record, List<Subscriber> overflowed)
    {
        if (record.MerchantId is { } merchantId)
        {
            record.Merchant = ledger.GetOrAdd(merchantId);
            record.Merchant.NotePublished(record.Seq, record.AcceptedAt);
        }

        Broadcast(record.MerchantId, record, overflowed);
    }

    /// <summary>
    /// Queues <paramref name="frame"/> for every subscriber entitled to <paramref name="merchantId"/>'s
    /// orders, never waiting; a subscriber whose queue is full is removed and added to <paramref name="overflowed"/>.
    /// </summary>
    public void Broadcast(string? merchantId, OutboundFrame frame, List<Subscriber> overflowed)
    {
        var firstOverflow = overflowed.Count;
        foreach (var subscriber in _everyMerchant)
        {
            if (!subscriber.Queue.TryEnqueue(frame))
            {
                overflowed.Add(subscriber);
            }
        }

        if (merchantId is not null && _byMerchant.TryGetValue(merchantId, out var subscribers))
        {
            foreach (var subscriber in subscribers)
            {
                if (!subscriber.Queue.TryEnqueue(frame))
                {
                    overflowed.Add(subscriber);
                }
            }
        }

        for (var i = firstOverflow; i < overflowed.Count; i++)
        {
            Remove(overflowed[i]);
        }
    }
}
