namespace OrderRelay.Core;

/// <summary>
/// Per-merchant live state, bounded: past the limit the merchant least recently added
/// that has no page online is forgotten. Not thread-safe: guarded by the relay's lock.
/// </summary>
internal sealed class MerchantLedger(int limit)
{
    private readonly Dictionary<string, MerchantActivity> _merchants = new(StringComparer.Ordinal);
    private readonly Queue<MerchantActivity> _evictionOrder = new();

    /// <summary>Every remembered merchant, for the status page; at most the ledger's limit.</summary>
    public IEnumerable<MerchantActivity> All => _merchants.Values;

    public MerchantActivity? Find(string merchantId) => _merchants.GetValueOrDefault(merchantId);

    public MerchantActivity GetOrAdd(string merchantId)
    {
        if (_merchants.TryGetValue(merchantId, out var activity))
        {
            return activity;
        }

        if (_merchants.Count >= limit)
        {
            EvictOneOffline();
        }

        activity = new MerchantActivity(merchantId);
        _merchants.Add(merchantId, activity);
        _evictionOrder.Enqueue(activity);
        return activity;
    }

    private void EvictOneOffline()
    {
        // Online merchants go to the back; each pass over them costs at most one
        // rotation of the queue, and there are never more online merchants than connections.
        for (var inspected = _evictionOrder.Count; inspected > 0; inspected--)
        {
            var candidate = _evictionOrder.Dequeue();
            if (candidate.Online == 0)
            {
                _merchants.Remove(candidate.MerchantId);
                return;
            }

            _evictionOrder.Enqueue(candidate);
        }
    }
}
