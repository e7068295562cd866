using System.Globalization;
using Microsoft.Data.Sqlite;

namespace OrderRelay.Storage;

/// <summary>
/// Creates and migrates the journal's tables. The version lives in <c>PRAGMA user_version</c>; each
/// migration step runs in the same transaction as the version bump, so a crash mid-migration
/// leaves the previous version intact.
/// </summary>
internal static class SqliteJournalSchema
{
    public const int CurrentVersion = 2;

    private const string Version1 = """
        CREATE TABLE journal_meta (
            key   TEXT PRIMARY KEY,
            value TEXT NOT NULL
        ) WITHOUT ROWID;

        -- seq is the rowid: appends go to the end of the table and pruning cuts from its start.
        CREATE TABLE orders (
            seq             INTEGER PRIMARY KEY,
            accepted_at     INTEGER NOT NULL,  -- Unix milliseconds
            merchant_id     TEXT,
            idempotency_key TEXT,
            body            BLOB NOT NULL      -- the order object exactly as published
        );
        CREATE UNIQUE INDEX orders_by_idempotency_key ON orders (idempotency_key) WHERE idempotency_key IS NOT NULL;
        CREATE INDEX orders_by_merchant ON orders (merchant_id, seq);

        CREATE TABLE confirmations (
            merchant_id  TEXT PRIMARY KEY,
            seq          INTEGER NOT NULL,
            confirmed_at INTEGER NOT NULL      -- Unix milliseconds
        ) WITHOUT ROWID;
        """;

    /// <summary>Issue 15: who published each order, what became of it after delivery, the event log receipts are read from, escalation obligations.</summary>
    private const string Version2 = """
        ALTER TABLE orders ADD COLUMN publisher TEXT;
        ALTER TABLE orders ADD COLUMN online_pages INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE orders ADD COLUMN confirmed_at INTEGER;          -- Unix milliseconds, first page ack covering it
        ALTER TABLE orders ADD COLUMN merchant_accepted_at INTEGER;  -- Unix milliseconds, first person's accept
        ALTER TABLE orders ADD COLUMN escalated_at INTEGER;          -- Unix milliseconds, webhook answered 2xx

        -- AUTOINCREMENT: a cursor is never handed out twice, even after pruning has emptied the table.
        CREATE TABLE order_events (
            cursor    INTEGER PRIMARY KEY AUTOINCREMENT,
            kind      INTEGER NOT NULL,
            seq       INTEGER NOT NULL,
            publisher TEXT,
            at        INTEGER NOT NULL
        );
        CREATE INDEX order_events_by_publisher ON order_events (publisher, cursor);
        CREATE INDEX order_events_by_seq ON order_events (seq);
        CREATE INDEX order_events_by_kind ON order_events (kind, cursor);

        -- Outlives the order's pruning, so an obligation is kept until the webhook takes it.
        CREATE TABLE escalations (
            seq             INTEGER PRIMARY KEY,
            due_at          INTEGER NOT NULL,
            attempts        INTEGER NOT NULL DEFAULT 0,
            accepted_at     INTEGER NOT NULL,
            merchant_id     TEXT,
            idempotency_key TEXT
        );
        CREATE INDEX escalations_by_due ON escalations (due_at);
        CREATE INDEX escalations_by_age ON escalations (accepted_at);
        """;

    /// <summary>Brings the schema to <see cref="CurrentVersion"/>; the message of what it throws says what is wrong.</summary>
    public static void Migrate(SqliteConnection connection)
    {
        var version = Convert.ToInt32(Scalar(connection, "PRAGMA user_version"), CultureInfo.InvariantCulture);
        if (version > CurrentVersion)
        {
            throw new InvalidDataException(
                $"the journal has schema version {version}, newer than this relay's {CurrentVersion}; run a newer relay");
        }

        if (version == CurrentVersion)
        {
            return;
        }

        Execute(connection, "BEGIN IMMEDIATE");
        if (version == 0 && Convert.ToInt64(Scalar(connection, "SELECT count(*) FROM sqlite_master"), CultureInfo.InvariantCulture) > 0)
        {
            Execute(connection, "ROLLBACK");
            throw new InvalidDataException("the file is an SQLite database of another application, not an OrderRelay journal");
        }

        if (version < 1)
        {
            Execute(connection, Version1);
        }

        if (version < 2)
        {
            Execute(connection, Version2);
        }

        Execute(connection, $"PRAGMA user_version = {CurrentVersion}");
        Execute(connection, "COMMIT");
    }

    private static object? Scalar(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return command.ExecuteScalar();
    }

    private static void Execute(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }
}
