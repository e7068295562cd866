namespace OrderRelay.Configuration;

/// <summary>The <c>Relay:Sqlite</c> section.</summary>
internal sealed class SqliteOptions
{
    /// <summary>The database file; a relative path resolves against the working directory. Its directory is created.</summary>
    public string Path { get; set; } = "data/orderrelay.db";

    /// <summary>
    /// How long a write waits for a lock another process (a backup, the sqlite3 shell) holds on the file before
    /// the publish fails; whole seconds, as Microsoft.Data.Sqlite retries busy commands per second.
    /// </summary>
    public TimeSpan BusyTimeout { get; set; } = TimeSpan.FromSeconds(5);
}
