using Microsoft.Data.Sqlite;

namespace OrderRelay.Tests.Storage;

/// <summary>
/// Another SQLite connection to the journal holding its write lock, as a backup tool or the
/// sqlite3 shell would: the relay's writes wait for it and then fail.
/// </summary>
internal sealed class WriteLockHolder : IAsyncDisposable
{
    private readonly SqliteConnection _connection;

    private WriteLockHolder(SqliteConnection connection) => _connection = connection;

    public static async Task<WriteLockHolder> TakeAsync(string databasePath)
    {
        var connection = new SqliteConnection($"Data Source={databasePath};Pooling=False");
        await connection.OpenAsync();
        await ExecuteAsync(connection, "BEGIN IMMEDIATE");
        return new WriteLockHolder(connection);
    }

    public async ValueTask DisposeAsync()
    {
        await ExecuteAsync(_connection, "ROLLBACK");
        await _connection.DisposeAsync();
    }

    private static async Task ExecuteAsync(SqliteConnection connection, string sql)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync();
    }
}
