namespace OrderRelay.Storage;

/// <summary>Escalation obligations in memory, ordered by when each is due; lost with the process, as the orders are.</summary>
internal sealed partial class MemoryOrderStore
{
    public ValueTask<IReadOnlyList<EscalationDue>> ClaimDueEscalationsAsync(DateTimeOffset now, TimeSpan lease, int maxCount, CancellationToken cancellationToken)
    {
        var claimed = new List<EscalationDue>();
        lock (_lock)
        {
            var nowMs = now.ToUnixTimeMilliseconds();
            while (claimed.Count < maxCount && _dueEscalations.Count > 0 && _dueEscalations.Min.DueMs <= nowMs)
            {
                var (_, seq) = _dueEscalations.Min;
                var obligation = _escalations[seq];
                obligation.Attempts++;
                Reschedule(obligation, (now + lease).ToUnixTimeMilliseconds());
                var kept = FindKept(seq);
                claimed.Add(new EscalationDue(seq, obligation.IdempotencyKey, obligation.MerchantId, obligation.AcceptedAt, kept?.ConfirmedAt,
                    obligation.Attempts, kept?.Stored.Order));
            }
        }

        return ValueTask.FromResult<IReadOnlyList<EscalationDue>>(claimed);
    }

    public ValueTask CompleteEscalationAsync(long seq, DateTimeOffset escalatedAt, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            DropObligation(seq);
            if (FindKept(seq) is { } kept)
            {
                kept.EscalatedAt ??= escalatedAt;
            }
        }

        return ValueTask.CompletedTask;
    }

    public ValueTask RetryEscalationAsync(long seq, DateTimeOffset nextAttemptAt, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            if (_escalations.GetValueOrDefault(seq) is { } obligation)
            {
                Reschedule(obligation, nextAttemptAt.ToUnixTimeMilliseconds());
            }
        }

        return ValueTask.CompletedTask;
    }

    public ValueTask<long[]> CountPendingEscalationsAsync(IReadOnlyList<DateTimeOffset> acceptedBy, CancellationToken cancellationToken)
    {
        var counts = new long[acceptedBy.Count];
        lock (_lock)
        {
            foreach (var obligation in _escalations.Values)
            {
                for (var i = 0; i < counts.Length; i++)
                {
                    if (obligation.AcceptedAt <= acceptedBy[i])
                    {
                        counts[i]++;
                    }
                }
            }
        }

        return ValueTask.FromResult(counts);
    }

    private void Reschedule(Obligation obligation, long dueMs)
    {
        _dueEscalations.Remove((obligation.DueMs, obligation.Seq));
        obligation.DueMs = dueMs;
        _dueEscalations.Add((dueMs, obligation.Seq));
    }

    private void DropObligation(long seq)
    {
        if (_escalations.Remove(seq, out var obligation))
        {
            _dueEscalations.Remove((obligation.DueMs, seq));
        }
    }
}
