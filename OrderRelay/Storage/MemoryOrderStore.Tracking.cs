namespace OrderRelay.Storage;

/// <summary>
/// Issue 15 in memory: per-order facts live with the order in the ring, events in a
/// ring of their own, escalation obligations ordered by when they are due. All of it is lost
/// with the process, as the orders are (docs/receipts.md).
/// </summary>
internal sealed partial class MemoryOrderStore : IOrderTracking
{
    private readonly Dictionary<string, Queue<long>> _unconfirmedByMerchant = new(StringComparer.Ordinal);
    private OrderEvent[]? _events;
    private int _eventsStart;
    private int _eventsCount;
    private readonly SortedSet<(long DueMs, long Seq)> _dueEscalations = [];
    private readonly Dictionary<long, Obligation> _escalations = [];
    private readonly SignalSource _eventsLogged = new();
    private long _lastCursor;

    public Task NextEventsLogged => _eventsLogged.Next;

    public ValueTask<TrackedOrder?> FindOrderAsync(long seq, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            return ValueTask.FromResult(FindKept(seq)?.ToTracked());
        }
    }

    public ValueTask<long?> FindSeqOfKeyAsync(string idempotencyKey, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            return ValueTask.FromResult<long?>(_seqByKey.TryGetValue(idempotencyKey, out var seq) ? seq : null);
        }
    }

    public ValueTask<TrackedOrder?> AcceptAsync(long seq, DateTimeOffset acceptedAt, CancellationToken cancellationToken)
    {
        var logged = false;
        TrackedOrder? tracked;
        lock (_lock)
        {
            if (FindKept(seq) is { } kept && kept.MerchantAcceptedAt is null)
            {
                kept.MerchantAcceptedAt = acceptedAt;
                Log(OrderEventKind.MerchantAccepted, kept, acceptedAt);
                DropObligation(seq);
                logged = true;
            }

            tracked = FindKept(seq)?.ToTracked();
        }

        if (logged)
        {
            _eventsLogged.Pulse();
        }

        return ValueTask.FromResult(tracked);
    }

    public ValueTask<EventLogBounds> ReadEventBoundsAsync(CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            return ValueTask.FromResult(new EventLogBounds(_lastCursor - _eventsCount + 1, _lastCursor));
        }
    }

    public ValueTask<IReadOnlyList<OrderEvent>> ReadEventsAfterAsync(long afterCursor, string? publisher, OrderEventKind? kind, int maxCount,
        CancellationToken cancellationToken)
    {
        var found = new List<OrderEvent>();
        lock (_lock)
        {
            // Cursors in the ring are consecutive, so the first wanted one is found by arithmetic.
            var oldest = _lastCursor - _eventsCount + 1;
            for (var index = (int)Math.Max(0, afterCursor + 1 - oldest); index < _eventsCount && found.Count < maxCount; index++)
            {
                var logged = _events![(_eventsStart + index) % _events.Length];
                if ((publisher is null || logged.Publisher == publisher) && (kind is null || logged.Kind == kind))
                {
                    found.Add(logged);
                }
            }
        }

        return ValueTask.FromResult<IReadOnlyList<OrderEvent>>(found);
    }

    /// <summary>Under the store's lock, as the order is kept: it waits for a confirmation by its merchant.</summary>
    private void Track(StoredOrder order)
    {
        if (order.MerchantId is { } merchantId)
        {
            if (!_unconfirmedByMerchant.TryGetValue(merchantId, out var unconfirmed))
            {
                _unconfirmedByMerchant[merchantId] = unconfirmed = new Queue<long>();
            }

            unconfirmed.Enqueue(order.Seq);
        }
    }

    /// <summary>Under the store's lock, as the order is kept: its escalation obligation, when escalations are on.</summary>
    /// <returns>False when the pending limit refused the obligation.</returns>
    private bool OweEscalation(StoredOrder order)
    {
        if (escalation is not { Enabled: true } settings)
        {
            return true;
        }

        if (_escalations.Count >= settings.MaxPending)
        {
            return false;
        }

        var obligation = new Obligation(order.Seq, order.AcceptedAt, order.MerchantId, order.IdempotencyKey);
        _escalations.Add(order.Seq, obligation);
        Reschedule(obligation, (order.AcceptedAt + settings.After).ToUnixTimeMilliseconds());
        return true;
    }

    /// <summary>Under the store's lock, as the order leaves the ring; its obligation, if any, stays until the webhook takes it.</summary>
    private void Forget(StoredOrder evicted)
    {
        if (evicted.MerchantId is { } merchantId && _unconfirmedByMerchant.TryGetValue(merchantId, out var unconfirmed))
        {
            while (unconfirmed.Count > 0 && unconfirmed.Peek() <= evicted.Seq)
            {
                unconfirmed.Dequeue();
            }

            if (unconfirmed.Count == 0)
            {
                _unconfirmedByMerchant.Remove(merchantId);
            }
        }
    }

    /// <summary>Under the store's lock: every order of the merchant up to <paramref name="seq"/> not confirmed yet is confirmed now.</summary>
    private void ConfirmOrdersThrough(string merchantId, long seq, DateTimeOffset confirmedAt)
    {
        if (!_unconfirmedByMerchant.TryGetValue(merchantId, out var unconfirmed))
        {
            return;
        }

        var logged = false;
        while (unconfirmed.Count > 0 && unconfirmed.Peek() <= seq)
        {
            if (FindKept(unconfirmed.Dequeue()) is { } kept)
            {
                kept.ConfirmedAt = confirmedAt;
                Log(OrderEventKind.Confirmed, kept, confirmedAt);
                logged = true;
            }
        }

        if (unconfirmed.Count == 0)
        {
            _unconfirmedByMerchant.Remove(merchantId);
        }

        if (logged)
        {
            _eventsLogged.Pulse();
        }
    }

    private void Log(OrderEventKind kind, KeptOrder kept, DateTimeOffset at)
    {
        // Two events at most per kept order; allocated at the first event, so a relay nobody confirms on holds none.
        _events ??= new OrderEvent[2 * _ring.Length];
        var logged = new OrderEvent(++_lastCursor, kind, kept.Stored.Seq, kept.Stored.IdempotencyKey, kept.Stored.MerchantId, kept.Publisher, at);
        if (_eventsCount == _events.Length)
        {
            _events[_eventsStart] = logged;
            _eventsStart = (_eventsStart + 1) % _events.Length;
        }
        else
        {
            _events[(_eventsStart + _eventsCount) % _events.Length] = logged;
            _eventsCount++;
        }
    }

    private sealed class Obligation(long seq, DateTimeOffset acceptedAt, string? merchantId, string? idempotencyKey)
    {
        public long Seq { get; } = seq;

        public DateTimeOffset AcceptedAt { get; } = acceptedAt;

        public string? MerchantId { get; } = merchantId;

        public string? IdempotencyKey { get; } = idempotencyKey;

        public long DueMs { get; set; }

        public int Attempts { get; set; }
    }
}
