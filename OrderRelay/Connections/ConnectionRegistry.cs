using System.Collections.Concurrent;
using System.Globalization;
using System.Security.Cryptography;

namespace OrderRelay.Connections;

/// <summary>
/// Every live connection, so that shutdown can reach them all: once stopping, no new
/// connection is admitted and each open one is asked to close with 1001.
/// </summary>
internal sealed class ConnectionRegistry
{
    private readonly ConcurrentDictionary<string, RelayConnection> _connections = new(StringComparer.Ordinal);
    private readonly string _idPrefix = "c-" + RandomNumberGenerator.GetHexString(4, lowercase: true);
    private long _issued;
    private volatile bool _stopping;

    public bool IsAccepting => !_stopping;

    public int Count => _connections.Count;

    /// <summary>Ids are unique in this process and, by their random prefix, unlikely to repeat across restarts.</summary>
    public string NextConnectionId() =>
        $"{_idPrefix}{Interlocked.Increment(ref _issued).ToString("x", CultureInfo.InvariantCulture)}";

    public RelayConnection? Find(string connectionId) => _connections.GetValueOrDefault(connectionId);

    /// <summary>False once shutdown has begun.</summary>
    public bool TryAdd(RelayConnection connection)
    {
        if (_stopping)
        {
            return false;
        }

        _connections[connection.Id] = connection;
        // Shutdown may have walked the registry between the check and the add.
        if (_stopping)
        {
            connection.Shutdown();
        }

        return true;
    }

    public void Remove(RelayConnection connection) => _connections.TryRemove(connection.Id, out _);

    /// <summary>Stops admitting connections and asks every open one to close.</summary>
    public void BeginShutdown()
    {
        _stopping = true;
        foreach (var connection in _connections.Values)
        {
            connection.Shutdown();
        }
    }

    /// <summary>Waits for the connections still open, up to <paramref name="timeout"/>.</summary>
    public Task WhenAllClosedAsync(TimeSpan timeout, TimeProvider time) =>
        Task.WhenAll(_connections.Values.Select(connection => connection.Completion)).WaitAsync(timeout, time);
}
