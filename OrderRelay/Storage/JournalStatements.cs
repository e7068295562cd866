using System.Globalization;
using Microsoft.Data.Sqlite;
using OrderRelay.Protocol;

namespace OrderRelay.Storage;

/// <summary>
/// The writer connection's statements, prepared once and reused for every batch. Transactions
/// are plain BEGIN/COMMIT statements so that the prepared commands need no transaction object.
/// Not thread-safe: the store's write gate serialises every use.
/// </summary>
internal sealed class JournalStatements : IDisposable
{
    private const string OrderColumns = "seq, accepted_at, merchant_id, idempotency_key, body";

    private readonly SqliteConnection _connection;
    private readonly SqliteCommand _begin;
    private readonly SqliteCommand _commit;
    private readonly SqliteCommand _insertOrder;
    private readonly SqliteCommand _findSeqOfKey;
    private readonly SqliteCommand _upsertConfirmation;

    public JournalStatements(SqliteConnection connection)
    {
        _connection = connection;
        _begin = Prepare("BEGIN IMMEDIATE");
        _commit = Prepare("COMMIT");
        // A key already kept makes the insert a no-op; the caller then looks up the original seq.
        _insertOrder = Prepare(
            $"INSERT INTO orders ({OrderColumns}, publisher, online_pages) VALUES ($seq, $acceptedAt, $merchantId, $key, $body, $publisher, $online) " +
            "ON CONFLICT (idempotency_key) WHERE idempotency_key IS NOT NULL DO NOTHING",
            "$seq", "$acceptedAt", "$merchantId", "$key", "$body", "$publisher", "$online");
        _findSeqOfKey = Prepare("SELECT seq FROM orders WHERE idempotency_key = $key", "$key");
        _upsertConfirmation = Prepare(
            "INSERT INTO confirmations (merchant_id, seq, confirmed_at) VALUES ($merchantId, $seq, $confirmedAt) " +
            "ON CONFLICT (merchant_id) DO UPDATE SET seq = excluded.seq, confirmed_at = excluded.confirmed_at WHERE excluded.seq > confirmations.seq",
            "$merchantId", "$seq", "$confirmedAt");
    }

    public void Begin() => _begin.ExecuteNonQuery();

    public void Commit() => _commit.ExecuteNonQuery();

    /// <summary>
    /// Runs <paramref name="write"/> in one transaction: committed whole, or rolled back and the
    /// failure rethrown, after <paramref name="undo"/> has put back what the caller changed in
    /// memory on the way. The caller holds the store's write gate.
    /// </summary>
    public void InTransaction(Action write, Action? undo = null)
    {
        Begin();
        try
        {
            write();
            Commit();
        }
        catch
        {
            RollBackIfOpen();
            undo?.Invoke();
            throw;
        }
    }

    /// <summary>Rolls back the open transaction, if SQLite has not already done so on the failure.</summary>
    public void RollBackIfOpen()
    {
        if (SQLitePCL.raw.sqlite3_get_autocommit(_connection.Handle) == 0)
        {
            Execute("ROLLBACK");
        }
    }

    /// <summary>Inserts the order with <paramref name="seq"/>; false when its idempotency key is already kept.</summary>
    public bool TryInsertOrder(long seq, DateTimeOffset acceptedAt, JournalEntry entry)
    {
        var parameters = _insertOrder.Parameters;
        parameters[0].Value = seq;
        parameters[1].Value = acceptedAt.ToUnixTimeMilliseconds();
        parameters[2].Value = (object?)entry.MerchantId ?? DBNull.Value;
        parameters[3].Value = (object?)entry.IdempotencyKey ?? DBNull.Value;
        parameters[4].Value = entry.Order;
        parameters[5].Value = (object?)entry.Publisher ?? DBNull.Value;
        parameters[6].Value = entry.OnlinePages;
        return _insertOrder.ExecuteNonQuery() == 1;
    }

    public long FindSeqOfKey(string key)
    {
        _findSeqOfKey.Parameters[0].Value = key;
        return Convert.ToInt64(_findSeqOfKey.ExecuteScalar(), CultureInfo.InvariantCulture);
    }

    public void UpsertConfirmation(string merchantId, MerchantConfirmation confirmation)
    {
        var parameters = _upsertConfirmation.Parameters;
        parameters[0].Value = merchantId;
        parameters[1].Value = confirmation.Seq;
        parameters[2].Value = confirmation.ConfirmedAt.ToUnixTimeMilliseconds();
        _upsertConfirmation.ExecuteNonQuery();
    }

    public string ReadOrCreateEpoch(string newEpoch)
    {
        if (ReadMeta("epoch") is { } epoch)
        {
            return epoch;
        }

        WriteMeta("epoch", newEpoch);
        return newEpoch;
    }

    /// <summary>The newest seq ever assigned, also when pruning has removed every order.</summary>
    public long ReadLastSeq()
    {
        var newestKept = Convert.ToInt64(Scalar("SELECT coalesce(max(seq), 0) FROM orders"), CultureInfo.InvariantCulture);
        var prunedThrough = long.Parse(ReadMeta("pruned_through_seq") ?? "0", CultureInfo.InvariantCulture);
        return Math.Max(newestKept, prunedThrough);
    }

    public long? ReadFirstSeq() => Scalar("SELECT min(seq) FROM orders") is long seq ? seq : null;

    /// <summary>Deletes the orders (and so their idempotency keys and logged events) up to <paramref name="throughSeq"/> in one transaction.</summary>
    public int DeleteOrdersThrough(long throughSeq)
    {
        Begin();
        try
        {
            using var delete = Create("DELETE FROM orders WHERE seq <= $through", "$through");
            delete.Parameters[0].Value = throughSeq;
            var deleted = delete.ExecuteNonQuery();
            using var deleteEvents = Create("DELETE FROM order_events WHERE seq <= $through", "$through");
            deleteEvents.Parameters[0].Value = throughSeq;
            deleteEvents.ExecuteNonQuery();
            WriteMeta("pruned_through_seq", throughSeq.ToString(CultureInfo.InvariantCulture));
            Commit();
            return deleted;
        }
        catch
        {
            RollBackIfOpen();
            throw;
        }
    }

    /// <summary>Forgets the merchants confirmed longest ago beyond <paramref name="limit"/>.</summary>
    public int TrimConfirmations(int limit)
    {
        using var trim = Create(
            "DELETE FROM confirmations WHERE merchant_id IN (SELECT merchant_id FROM confirmations " +
            "ORDER BY confirmed_at LIMIT max(0, (SELECT count(*) FROM confirmations) - $limit))", "$limit");
        trim.Parameters[0].Value = limit;
        return trim.ExecuteNonQuery();
    }

    /// <summary>A real write that changes nothing, to find out whether the file takes writes.</summary>
    public void ProbeWrite()
    {
        Begin();
        try
        {
            Execute("UPDATE journal_meta SET value = value WHERE key = 'epoch'");
            Commit();
        }
        catch
        {
            RollBackIfOpen();
            throw;
        }
    }

    public static SqliteCommand CreateReadAfter(SqliteConnection connection, long afterSeq, MerchantFilter filter, int maxCount)
    {
        var command = connection.CreateCommand();
        var merchantCondition = "";
        if (!filter.IsEverything)
        {
            var names = new List<string>(filter.Merchants.Count);
            foreach (var merchantId in filter.Merchants)
            {
                var name = "$m" + names.Count.ToString(CultureInfo.InvariantCulture);
                command.Parameters.AddWithValue(name, merchantId);
                names.Add(name);
            }

            merchantCondition = $"merchant_id IN ({string.Join(',', names)}) AND ";
        }

        command.CommandText = $"SELECT {OrderColumns} FROM orders WHERE {merchantCondition}seq > $after ORDER BY seq LIMIT $limit";
        command.Parameters.AddWithValue("$after", afterSeq);
        command.Parameters.AddWithValue("$limit", maxCount);
        return command;
    }

    public static StoredOrder ReadOrder(SqliteDataReader reader) => new(
        reader.GetInt64(0),
        DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(1)),
        reader.IsDBNull(2) ? null : reader.GetString(2),
        reader.IsDBNull(3) ? null : reader.GetString(3),
        reader.GetFieldValue<byte[]>(4));

    public void Dispose()
    {
        _begin.Dispose();
        _commit.Dispose();
        _insertOrder.Dispose();
        _findSeqOfKey.Dispose();
        _upsertConfirmation.Dispose();
    }

    private SqliteCommand Prepare(string sql, params string[] parameterNames)
    {
        var command = Create(sql, parameterNames);
        command.Prepare();
        return command;
    }

    private SqliteCommand Create(string sql, params string[] parameterNames)
    {
        var command = _connection.CreateCommand();
        command.CommandText = sql;
        foreach (var name in parameterNames)
        {
            command.Parameters.Add(new SqliteParameter { ParameterName = name });
        }

        return command;
    }

    private string? ReadMeta(string key)
    {
        using var command = Create("SELECT value FROM journal_meta WHERE key = $key", "$key");
        command.Parameters[0].Value = key;
        return command.ExecuteScalar() as string;
    }

    private void WriteMeta(string key, string value)
    {
        using var command = Create(
            "INSERT INTO journal_meta (key, value) VALUES ($key, $value) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            "$key", "$value");
        command.Parameters[0].Value = key;
        command.Parameters[1].Value = value;
        command.ExecuteNonQuery();
    }

    private object? Scalar(string sql)
    {
        using var command = _connection.CreateCommand();
        command.CommandText = sql;
        return command.ExecuteScalar();
    }

    private void Execute(string sql)
    {
        using var command = _connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }
}
