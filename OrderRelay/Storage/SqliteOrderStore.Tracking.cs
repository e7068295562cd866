using System.Globalization;
using Microsoft.Data.Sqlite;

namespace OrderRelay.Storage;

/// <summary>
/// Issue 15 in the journal file: per-order columns, the <c>order_events</c> log receipts are read
/// from, and the <c>escalations</c> table, whose rows are written in the same transaction as
/// the order (so an obligation survives a crash as the order does).
/// </summary>
internal sealed partial class SqliteOrderStore : IOrderTracking
{
    private const string TrackedColumns = "seq, idempotency_key, merchant_id, accepted_at, online_pages, confirmed_at, merchant_accepted_at, escalated_at";

    private readonly SignalSource _eventsLogged = new();
    private SqliteTrackingStatements? _tracking;
    private long _pendingEscalations;

    public Task NextEventsLogged => _eventsLogged.Next;

    public async ValueTask<TrackedOrder?> FindOrderAsync(long seq, CancellationToken cancellationToken)
    {
        using var connection = await OpenReaderAsync(cancellationToken).ConfigureAwait(false);
        using var command = connection.CreateCommand();
        command.CommandText = $"SELECT {TrackedColumns} FROM orders WHERE seq = $seq";
        command.Parameters.AddWithValue("$seq", seq);
        using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        return await reader.ReadAsync(cancellationToken).ConfigureAwait(false) ? ReadTracked(reader) : null;
    }

    public async ValueTask<long?> FindSeqOfKeyAsync(string idempotencyKey, CancellationToken cancellationToken)
    {
        using var connection = await OpenReaderAsync(cancellationToken).ConfigureAwait(false);
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT seq FROM orders WHERE idempotency_key = $key";
        command.Parameters.AddWithValue("$key", idempotencyKey);
        return await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is long seq ? seq : null;
    }

    public async ValueTask<TrackedOrder?> AcceptAsync(long seq, DateTimeOffset acceptedAt, CancellationToken cancellationToken)
    {
        var logged = false;
        await _writeGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            _statements!.InTransaction(() =>
            {
                var at = acceptedAt.ToUnixTimeMilliseconds();
                if (Execute("UPDATE orders SET merchant_accepted_at = $at WHERE seq = $seq AND merchant_accepted_at IS NULL", ("$at", at), ("$seq", seq)) == 1)
                {
                    Execute("INSERT INTO order_events (kind, seq, publisher, at) SELECT $kind, seq, publisher, $at FROM orders WHERE seq = $seq",
                        ("$kind", (long)OrderEventKind.MerchantAccepted), ("$at", at), ("$seq", seq));
                    _pendingEscalations -= Execute("DELETE FROM escalations WHERE seq = $seq", ("$seq", seq));
                    logged = true;
                }
            });
        }
        finally
        {
            _writeGate.Release();
        }

        if (logged)
        {
            _eventsLogged.Pulse();
        }

        return await FindOrderAsync(seq, cancellationToken).ConfigureAwait(false);
    }

    public async ValueTask<EventLogBounds> ReadEventBoundsAsync(CancellationToken cancellationToken)
    {
        using var connection = await OpenReaderAsync(cancellationToken).ConfigureAwait(false);
        using var command = connection.CreateCommand();
        // The AUTOINCREMENT counter, not max(cursor): pruning may have emptied the log.
        command.CommandText = "SELECT coalesce((SELECT seq FROM sqlite_sequence WHERE name = 'order_events'), 0), (SELECT min(cursor) FROM order_events)";
        using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
        var last = reader.GetInt64(0);
        return new EventLogBounds(reader.IsDBNull(1) ? last + 1 : reader.GetInt64(1), last);
    }

    public async ValueTask<IReadOnlyList<OrderEvent>> ReadEventsAfterAsync(long afterCursor, string? publisher, OrderEventKind? kind, int maxCount,
        CancellationToken cancellationToken)
    {
        using var connection = await OpenReaderAsync(cancellationToken).ConfigureAwait(false);
        using var command = connection.CreateCommand();
        command.CommandText =
            "SELECT e.cursor, e.kind, e.seq, o.idempotency_key, o.merchant_id, e.publisher, e.at FROM order_events e JOIN orders o ON o.seq = e.seq " +
            $"WHERE {(publisher is null ? "" : "e.publisher = $publisher AND ")}{(kind is null ? "" : "e.kind = $kind AND ")}e.cursor > $after ORDER BY e.cursor LIMIT $limit";
        command.Parameters.AddWithValue("$after", afterCursor);
        command.Parameters.AddWithValue("$limit", maxCount);
        if (publisher is not null)
        {
            command.Parameters.AddWithValue("$publisher", publisher);
        }

        if (kind is { } wanted)
        {
            command.Parameters.AddWithValue("$kind", (long)wanted);
        }

        var events = new List<OrderEvent>();
        using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            events.Add(new OrderEvent(reader.GetInt64(0), (OrderEventKind)reader.GetInt64(1), reader.GetInt64(2), NullableString(reader, 3),
                NullableString(reader, 4), NullableString(reader, 5), DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(6))));
        }

        return events;
    }

    /// <summary>
    /// Called in the confirmation flush for one merchant: every order of it up to the confirmed seq
    /// that no page had confirmed yet is confirmed now, and an event is logged for each.
    /// </summary>
    private void ConfirmOrdersThrough(string merchantId, MerchantConfirmation confirmation)
    {
        var statements = _tracking!;
        statements.PreviousConfirmation.Parameters[0].Value = merchantId;
        var previous = Convert.ToInt64(statements.PreviousConfirmation.ExecuteScalar(), CultureInfo.InvariantCulture);
        if (confirmation.Seq <= previous)
        {
            return;
        }

        var at = confirmation.ConfirmedAt.ToUnixTimeMilliseconds();
        Run(statements.LogConfirmed, merchantId, previous, confirmation.Seq, at);
        Run(statements.MarkConfirmed, merchantId, previous, confirmation.Seq, at);
    }

    private static void Run(SqliteCommand command, params object?[] values)
    {
        for (var i = 0; i < values.Length; i++)
        {
            command.Parameters[i].Value = values[i] ?? DBNull.Value;
        }

        command.ExecuteNonQuery();
    }

    private void CountPendingEscalations() => _pendingEscalations = Convert.ToInt64(ScalarOnWriter("SELECT count(*) FROM escalations"), CultureInfo.InvariantCulture);

    private async Task<SqliteConnection> OpenReaderAsync(CancellationToken cancellationToken)
    {
        var connection = new SqliteConnection(_readerConnectionString);
        await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
        return connection;
    }

    private int Execute(string sql, params (string Name, object? Value)[] parameters)
    {
        using var command = CreateOnWriter(sql, parameters);
        return command.ExecuteNonQuery();
    }

    private object? ScalarOnWriter(string sql, params (string Name, object? Value)[] parameters)
    {
        using var command = CreateOnWriter(sql, parameters);
        return command.ExecuteScalar();
    }

    private SqliteCommand CreateOnWriter(string sql, (string Name, object? Value)[] parameters)
    {
        var command = _writer!.CreateCommand();
        command.CommandText = sql;
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value ?? DBNull.Value);
        }

        return command;
    }

    private static string? NullableString(SqliteDataReader reader, int ordinal) => reader.IsDBNull(ordinal) ? null : reader.GetString(ordinal);

    private static TrackedOrder ReadTracked(SqliteDataReader reader) => new(
        reader.GetInt64(0), NullableString(reader, 1), NullableString(reader, 2), DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(3)),
        (int)reader.GetInt64(4), OptionalTime(reader, 5), OptionalTime(reader, 6), OptionalTime(reader, 7));

    private static DateTimeOffset? OptionalTime(SqliteDataReader reader, int ordinal) =>
        reader.IsDBNull(ordinal) ? null : DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(ordinal));
}
