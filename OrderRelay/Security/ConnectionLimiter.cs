using System.Net;
using OrderRelay.Configuration;

namespace OrderRelay.Security;

/// <summary>
/// Counts open connections in total, per remote address and per subscriber token, so that
/// no client can take more than its share. Every admission is a lease released once.
/// </summary>
internal sealed class ConnectionLimiter(LimitOptions limits)
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, int> _byAddress = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _byToken = new(StringComparer.Ordinal);
    private int _total;

    /// <summary>A lease for a new connection, or the reason there is none.</summary>
    public (IDisposable? Lease, string? Refusal) TryAdmit(IPAddress? remote)
    {
        var address = remote?.ToString() ?? "unknown";
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

            _total++;
            _byAddress[address] = _byAddress.GetValueOrDefault(address) + 1;
        }

        return (new Lease(this, _byAddress, address, countsTotal: true), null);
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

            _byToken[tokenId] = _byToken.GetValueOrDefault(tokenId) + 1;
        }

        return new Lease(this, _byToken, tokenId, countsTotal: false);
    }

    private void Release(Dictionary<string, int> counts, string key, bool countsTotal)
    {
        lock (_lock)
        {
            if (countsTotal)
            {
                _total--;
            }

            // Keys at zero are removed, so the maps hold only what is connected now.
            if (--counts[key] == 0)
            {
                counts.Remove(key);
            }
        }
    }

    /// <summary>Holds what to release itself rather than a closure: every open connection keeps one.</summary>
    private sealed class Lease(ConnectionLimiter limiter, Dictionary<string, int> counts, string key, bool countsTotal) : IDisposable
    {
        private int _released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0)
            {
                limiter.Release(counts, key, countsTotal);
            }
        }
    }
}
