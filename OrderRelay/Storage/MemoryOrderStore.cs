using OrderRelay.Protocol;

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
    private readonly KeptOrder[] _ring = new KeptOrder[historyLimit];
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
                return _count == 0 ? _lastSeq + 1 : _ring[_start].Stored.Seq;
            }
        }
    }

    public ValueTask<JournalState> OpenAsync(CancellationToken cancellationToken) =>
        ValueTask.FromResult(new JournalState(JournalState.NewEpoch(), LastSeq: 0));

    public ValueTask AppendAsync(IReadOnlyList<JournalEntry> entries, DateTimeOffset acceptedAt, AppendResult[] results, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            for (var i = 0; i < entries.Count; i++)
            {
                var entry = entries[i];
                if (entry.IdempotencyKey is { } key && _seqByKey.TryGetValue(key, out var originalSeq))
                {
                    results[i] = AppendResult.DuplicateOf(originalSeq);
                    continue;
                }

                var order = new StoredOrder(++_lastSeq, acceptedAt, entry.MerchantId, entry.IdempotencyKey, entry.Order);
                Keep(new KeptOrder(order, entry.Publisher, entry.OnlinePages));
                Track(order);
                results[i] = AppendResult.Accepted(order.Seq, escalationRefused: !OweEscalation(order));
            }
        }

        return ValueTask.CompletedTask;
    }

    private void Keep(KeptOrder kept)
    {
        if (_count == _ring.Length)
        {
            var evicted = _ring[_start].Stored;
            if (evicted.IdempotencyKey is { } evictedKey)
            {
                _seqByKey.Remove(evictedKey);
            }

            Forget(evicted);

            _ring[_start] = kept;
            _start = (_start + 1) % _ring.Length;
        }
        else
        {
            _ring[(_start + _count) % _ring.Length] = kept;
            _count++;
        }

        if (kept.Stored.IdempotencyKey is { } key)
        {
            _seqByKey[key] = kept.Stored.Seq;
        }
    }

    /// <summary>Under the store's lock: the kept order with <paramref name="seq"/>, or null.</summary>
    private KeptOrder? FindKept(long seq)
    {
        // Seqs in the ring are consecutive, so an order's place is found by arithmetic.
        var index = _count == 0 ? -1 : seq - _ring[_start].Stored.Seq;
        return index >= 0 && index < _count ? _ring[(_start + (int)index) % _ring.Length] : null;
    }

    public ValueTask<ReplayPage> ReadAfterAsync(long afterSeq, MerchantFilter filter, int maxCount, CancellationToken cancellationToken)
    {
        var found = new List<StoredOrder>();
        lock (_lock)
        {
            if (_count == 0 || afterSeq >= _lastSeq)
            {
                return ValueTask.FromResult(new ReplayPage(found, afterSeq));
            }

            // Seqs in the ring are consecutive, so the first wanted one is found by arithmetic.
            var oldest = _ring[_start].Stored.Seq;
            var index = (int)Math.Max(0, afterSeq + 1 - oldest);
            var scanned = afterSeq;
            for (var budget = ScanBudgetPerPage; index < _count && found.Count < maxCount && budget > 0; index++, budget--)
            {
                var order = _ring[(_start + index) % _ring.Length].Stored;
                if (filter.Allows(order.MerchantId))
                {
                    found.Add(order);
                }

                scanned = order.Seq;
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

    /// <summary>A kept order with what order status and receipts need of it (issue 15); it lives exactly as long as the order stays in the ring.</summary>
    private sealed class KeptOrder(StoredOrder stored, string? publisher, int onlinePages)
    {
        public StoredOrder Stored { get; } = stored;

        public string? Publisher { get; } = publisher;

        public DateTimeOffset? ConfirmedAt { get; set; }

        public DateTimeOffset? MerchantAcceptedAt { get; set; }

        public DateTimeOffset? EscalatedAt { get; set; }

        public TrackedOrder ToTracked() => new(Stored.Seq, Stored.IdempotencyKey, Stored.MerchantId, Stored.AcceptedAt, onlinePages,
            ConfirmedAt, MerchantAcceptedAt, EscalatedAt);
    }
}
