using OrderRelay.Core;

namespace OrderRelay.Storage;

/// <summary>
/// History in a ring of the newest orders; idempotency keys live exactly as long as
/// their order stays in the ring. Nothing survives a restart: every start is a new epoch.
/// </summary>
/// <param name="escalation">Off when null or not enabled.</param>
internal sealed partial class MemoryOrderStore(int historyLimit, int merchantLimit, Configuration.EscalationOptions? escalation = null) : IOrderStore
{
    /// <summary>How many non-matching orders one replay page may skip before returning.</summary>
    private const int ScanBudgetPerPage = 16_384;

    private readonly Lock _lock = new();
    private readonly OrderRecord[] _ring = new OrderRecord[historyLimit];
    private readonly Dictionary<string, long> _seqByKey = new(StringComparer.Ordinal);
    private readonly Dictionary<string, MerchantConfirmation> _confirmations = new(StringComparer.Ordinal);
    private readonly Queue<string> _confirmationOrder = new();
    private int _start;
    private int _count;
    private long _lastSeq;

    public long FirstRetainedSeq
    {
        get
        {
            lock (_lock)
            {
                return _count == 0 ? _lastSeq + 1 : _ring[_start].Seq;
            }
        }
    }

    public ValueTask<JournalState> OpenAsync(CancellationToken cancellationToken) =>
        ValueTask.FromResult(new JournalState(JournalState.NewEpoch(), LastSeq: 0));

    public ValueTask AppendAsync(IReadOnlyList<PublishRequest> batch, DateTimeOffset acceptedAt, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            foreach (var request in batch)
            {
                if (request.IdempotencyKey is { } key && _seqByKey.TryGetValue(key, out var originalSeq))
                {
                    request.MarkDuplicate(originalSeq);
                    continue;
                }

                var record = OrderRecord.Create(++_lastSeq, acceptedAt, request.MerchantId, request.IdempotencyKey, request.Order);
                Keep(record);
                Track(record, request);
                request.MarkAccepted(record);
            }
        }

        return ValueTask.CompletedTask;
    }

    private void Keep(OrderRecord record)
    {
        if (_count == _ring.Length)
        {
            var evicted = _ring[_start];
            if (evicted.IdempotencyKey is { } evictedKey)
            {
                _seqByKey.Remove(evictedKey);
            }

            Forget(evicted);

            _ring[_start] = record;
            _start = (_start + 1) % _ring.Length;
        }
        else
        {
            _ring[(_start + _count) % _ring.Length] = record;
            _count++;
        }

        if (record.IdempotencyKey is { } key)
        {
            _seqByKey[key] = record.Seq;
        }
    }

    public ValueTask<ReplayPage> ReadAfterAsync(long afterSeq, MerchantFilter filter, int maxCount, CancellationToken cancellationToken)
    {
        var found = new List<OrderRecord>();
        lock (_lock)
        {
            if (_count == 0 || afterSeq >= _lastSeq)
            {
                return ValueTask.FromResult(new ReplayPage(found, afterSeq));
            }

            // Seqs in the ring are consecutive, so the first wanted one is found by arithmetic.
            var oldest = _ring[_start].Seq;
            var index = (int)Math.Max(0, afterSeq + 1 - oldest);
            var scanned = afterSeq;
            for (var budget = ScanBudgetPerPage; index < _count && found.Count < maxCount && budget > 0; index++, budget--)
            {
                var record = _ring[(_start + index) % _ring.Length];
                if (filter.Allows(record.MerchantId))
                {
                    found.Add(record);
                }

                scanned = record.Seq;
            }

            return ValueTask.FromResult(new ReplayPage(found, scanned));
        }
    }

    public ValueTask RecordConfirmationAsync(string merchantId, long seq, DateTimeOffset confirmedAt, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            if (_confirmations.TryGetValue(merchantId, out var existing))
            {
                if (seq > existing.Seq)
                {
                    _confirmations[merchantId] = new MerchantConfirmation(seq, confirmedAt);
                    ConfirmOrdersThrough(merchantId, seq, confirmedAt);
                }

                return ValueTask.CompletedTask;
            }

            if (_confirmations.Count >= merchantLimit)
            {
                _confirmations.Remove(_confirmationOrder.Dequeue());
            }

            _confirmations.Add(merchantId, new MerchantConfirmation(seq, confirmedAt));
            _confirmationOrder.Enqueue(merchantId);
            ConfirmOrdersThrough(merchantId, seq, confirmedAt);
        }

        return ValueTask.CompletedTask;
    }

    public ValueTask<MerchantConfirmation?> GetConfirmationAsync(string merchantId, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            return ValueTask.FromResult(_confirmations.GetValueOrDefault(merchantId));
        }
    }

    public ValueTask<bool> IsHealthyAsync(CancellationToken cancellationToken) => ValueTask.FromResult(true);

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
