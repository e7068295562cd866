using System.Globalization;

namespace OrderRelay.Storage;

/// <summary>Escalation obligations in the journal file: written with the order, claimed with a lease, ended by the webhook's 2xx or an accept.</summary>
internal sealed partial class SqliteOrderStore
{
    public async ValueTask<IReadOnlyList<EscalationDue>> ClaimDueEscalationsAsync(DateTimeOffset now, TimeSpan lease, int maxCount, CancellationToken cancellationToken)
    {
        var claimed = new List<EscalationDue>();
        await _writeGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            _statements!.InTransaction(() =>
            {
                using (var select = _writer!.CreateCommand())
                {
                    select.CommandText =
                        "SELECT e.seq, e.idempotency_key, e.merchant_id, e.accepted_at, o.confirmed_at, e.attempts, o.body " +
                        "FROM escalations e LEFT JOIN orders o ON o.seq = e.seq WHERE e.due_at <= $now ORDER BY e.due_at LIMIT $limit";
                    select.Parameters.AddWithValue("$now", now.ToUnixTimeMilliseconds());
                    select.Parameters.AddWithValue("$limit", maxCount);
                    using var reader = select.ExecuteReader();
                    while (reader.Read())
                    {
                        claimed.Add(new EscalationDue(reader.GetInt64(0), NullableString(reader, 1), NullableString(reader, 2),
                            DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(3)),
                            reader.IsDBNull(4) ? null : DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(4)),
                            (int)reader.GetInt64(5) + 1, reader.IsDBNull(6) ? null : reader.GetFieldValue<byte[]>(6)));
                    }
                }

                foreach (var due in claimed)
                {
                    Execute("UPDATE escalations SET due_at = $until, attempts = attempts + 1 WHERE seq = $seq",
                        ("$until", (now + lease).ToUnixTimeMilliseconds()), ("$seq", due.Seq));
                }
            });
        }
        finally
        {
            _writeGate.Release();
        }

        return claimed;
    }

    public async ValueTask CompleteEscalationAsync(long seq, DateTimeOffset escalatedAt, CancellationToken cancellationToken)
    {
        await _writeGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            _statements!.InTransaction(() =>
            {
                _pendingEscalations -= Execute("DELETE FROM escalations WHERE seq = $seq", ("$seq", seq));
                Execute("UPDATE orders SET escalated_at = $at WHERE seq = $seq AND escalated_at IS NULL", ("$at", escalatedAt.ToUnixTimeMilliseconds()), ("$seq", seq));
            });
        }
        finally
        {
            _writeGate.Release();
        }
    }

    public async ValueTask RetryEscalationAsync(long seq, DateTimeOffset nextAttemptAt, CancellationToken cancellationToken)
    {
        await _writeGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            Execute("UPDATE escalations SET due_at = $due WHERE seq = $seq", ("$due", nextAttemptAt.ToUnixTimeMilliseconds()), ("$seq", seq));
        }
        finally
        {
            _writeGate.Release();
        }
    }

    public async ValueTask<long[]> CountPendingEscalationsAsync(IReadOnlyList<DateTimeOffset> acceptedBy, CancellationToken cancellationToken)
    {
        using var connection = await OpenReaderAsync(cancellationToken).ConfigureAwait(false);
        var counts = new long[acceptedBy.Count];
        for (var i = 0; i < counts.Length; i++)
        {
            using var command = connection.CreateCommand();
            command.CommandText = "SELECT count(*) FROM escalations WHERE accepted_at <= $cutoff";
            command.Parameters.AddWithValue("$cutoff", acceptedBy[i].ToUnixTimeMilliseconds());
            counts[i] = Convert.ToInt64(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false), CultureInfo.InvariantCulture);
        }

        return counts;
    }

    /// <summary>Called in the append transaction for each new order: records its obligation unless the pending limit is reached.</summary>
    /// <returns>False when the pending limit refused the obligation.</returns>
    private bool OweEscalation(long seq, DateTimeOffset acceptedAt, JournalEntry entry)
    {
        if (!_escalation.Enabled)
        {
            return true;
        }

        if (_pendingEscalations >= _escalation.MaxPending)
        {
            return false;
        }

        Run(_tracking!.OweEscalation, seq, (acceptedAt + _escalation.After).ToUnixTimeMilliseconds(), acceptedAt.ToUnixTimeMilliseconds(),
            entry.MerchantId, entry.IdempotencyKey);
        _pendingEscalations++;
        return true;
    }
}
