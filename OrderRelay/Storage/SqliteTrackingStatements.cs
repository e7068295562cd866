using Microsoft.Data.Sqlite;

namespace OrderRelay.Storage;

/// <summary>The statements the append and the confirmation flush run for every order or merchant, prepared once on the writer connection.</summary>
internal sealed class SqliteTrackingStatements : IDisposable
{
    private const string ConfirmRange = "merchant_id = $m AND seq > $from AND seq <= $to AND confirmed_at IS NULL";

    public SqliteTrackingStatements(SqliteConnection writer)
    {
        PreviousConfirmation = Prepare(writer, "SELECT coalesce((SELECT seq FROM confirmations WHERE merchant_id = $m), 0)", "$m");
        LogConfirmed = Prepare(writer,
            $"INSERT INTO order_events (kind, seq, publisher, at) SELECT {(long)OrderEventKind.Confirmed}, seq, publisher, $at FROM orders WHERE {ConfirmRange} ORDER BY seq",
            "$m", "$from", "$to", "$at");
        MarkConfirmed = Prepare(writer, $"UPDATE orders SET confirmed_at = $at WHERE {ConfirmRange}", "$m", "$from", "$to", "$at");
        OweEscalation = Prepare(writer,
            "INSERT INTO escalations (seq, due_at, accepted_at, merchant_id, idempotency_key) VALUES ($seq, $due, $at, $merchantId, $key)",
            "$seq", "$due", "$at", "$merchantId", "$key");
    }

    public SqliteCommand PreviousConfirmation { get; }

    public SqliteCommand LogConfirmed { get; }

    public SqliteCommand MarkConfirmed { get; }

    public SqliteCommand OweEscalation { get; }

    public void Dispose()
    {
        PreviousConfirmation.Dispose();
        LogConfirmed.Dispose();
        MarkConfirmed.Dispose();
        OweEscalation.Dispose();
    }

    private static SqliteCommand Prepare(SqliteConnection writer, string sql, params string[] names)
    {
        var command = writer.CreateCommand();
        command.CommandText = sql;
        foreach (var name in names)
        {
            command.Parameters.Add(new SqliteParameter { ParameterName = name });
        }

        command.Prepare();
        return command;
    }
}
