using System.Net;
using OrderRelay.Configuration;

namespace OrderRelay.Security;

/// <summary>
/// Counts open connections in total, per client address and per subscriber token, so that
/// no client can take more than its share; connections that have not completed <c>hello</c>
/// also count against a small budget of their own, so that sockets which never authenticate
/// cannot crowd out the merchants who do. Every admission is a lease released once.
/// </summary>
internal sealed class ConnectionLimiter(LimitOptions limits)
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, int> _byAddress = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _pendingByAddress = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _byToken = new(StringComparer.Ordinal);
    private int _total;
    private int _pending;

    /// <summary>A lease for a new connection from <paramref name="client"/>, pending its hello, or the reason there is none.</summary>
    public (ConnectionLease? Lease, string? Refusal) TryAdmit(IPAddress? client)
    {
        var address = client?.ToString() ?? "unknown";
        lock (_lock)
        {
            if (_total >= limits.MaxConnections)
            {
                return (null, $"The relay is at its limit of {limits.MaxConnections} connections.");
            }

            if (_byAddress.GetValueOrDefault(address) >= limits.MaxConnectionsPerAddress)
            {
                return (null, $"Your address is at its limit of {limits.MaxConnectionsPerAddress} connections.");
            }

            if (_pendingByAddress.GetValueOrDefault(address) >= limits.MaxPendingHandshakesPerAddress)
            {
                return (null, $"Your address has {limits.MaxPendingHandshakesPerAddress} connections that have not said hello yet.");
            }

            if (_pending >= limits.MaxPendingHandshakes)
            {
                return (null, $"The relay has {limits.MaxPendingHandshakes} connections waiting for hello; try again shortly.");
            }

            _total++;
            _pending++;
            Increment(_byAddress, address);
            Increment(_pendingByAddress, address);
        }

        return (new ConnectionLease(this, address), null);
    }

    /// <summary>A lease for one more subscriber on a token, or null when the token is at its limit.</summary>
    public IDisposable? TryAdmitToken(string tokenId)
    {
        lock (_lock)
        {
            if (_byToken.GetValueOrDefault(tokenId) >= limits.MaxSubscribersPerToken)
            {
                return null;
            }

            Increment(_byToken, tokenId);
        }

        return new TokenLease(this, tokenId);
    }

    private void ReleasePending(string address)
    {
        lock (_lock)
        {
            _pending--;
            Decrement(_pendingByAddress, address);
        }
    }

    private void ReleaseConnection(string address)
    {
        lock (_lock)
        {
            _total--;
            Decrement(_byAddress, address);
        }
    }

    private void ReleaseToken(string tokenId)
    {
        lock (_lock)
        {
            Decrement(_byToken, tokenId);
        }
    }

    private static void Increment(Dictionary<string, int> counts, string key) => counts[key] = counts.GetValueOrDefault(key) + 1;

    /// <summary>Keys at zero are removed, so the maps hold only what is connected now.</summary>
    private static void Decrement(Dictionary<string, int> counts, string key)
    {
        if (--counts[key] == 0)
        {
            counts.Remove(key);
        }
    }

    /// <summary>
    /// One connection's place: pending until <see cref="CompleteHandshake"/>, then counted
    /// only against the connection limits. Holds what it releases rather than a closure:
    /// every open connection keeps one.
    /// </summary>
    internal sealed class ConnectionLease(ConnectionLimiter limiter, string address) : IDisposable
    {
        private int _pending = 1;
        private int _released;

        /// <summary>The client address the connection counts against.</summary>
        public string Address { get; } = address;

        /// <summary>The client said hello and was welcomed: it no longer takes a pending slot.</summary>
        public void CompleteHandshake()
        {
            if (Interlocked.Exchange(ref _pending, 0) == 1)
            {
                limiter.ReleasePending(Address);
            }
        }

        public void Dispose()
        {
            CompleteHandshake();
            if (Interlocked.Exchange(ref _released, 1) == 0)
            {
                limiter.ReleaseConnection(Address);
            }
        }
    }

    private sealed class TokenLease(ConnectionLimiter limiter, string tokenId) : IDisposable
    {
        private int _released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0)
            {
                limiter.ReleaseToken(tokenId);
            }
        }
    }
}
