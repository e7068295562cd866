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
    public const int CurrentVersion = 1;

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
