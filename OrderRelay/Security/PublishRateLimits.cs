using System.Threading.RateLimiting;
using OrderRelay.Configuration;

namespace OrderRelay.Security;

/// <summary>Token buckets for publishers: one per WebSocket publisher, one per key (or address) over HTTP.</summary>
internal sealed class PublishRateLimits(LimitOptions limits) : IDisposable
{
    private static readonly TimeSpan Period = TimeSpan.FromMilliseconds(100);

    private readonly PartitionedRateLimiter<string> _http = PartitionedRateLimiter.Create<string, string>(
        partition => RateLimitPartition.GetTokenBucketLimiter(partition, _ => Options(limits)));

    /// <summary>A bucket for one publisher connection; the connection disposes it.</summary>
    public RateLimiter ForConnection() => new TokenBucketRateLimiter(Options(limits));

    /// <summary>True when an HTTP publish under <paramref name="partition"/> may go ahead now.</summary>
    public bool TryAcquireHttp(string partition)
    {
        using var lease = _http.AttemptAcquire(partition);
        return lease.IsAcquired;
    }

    public void Dispose() => _http.Dispose();

    // Refilled every tenth of a second, so a publisher that hit its limit recovers smoothly.
    private static TokenBucketRateLimiterOptions Options(LimitOptions limits) => new()
    {
        TokenLimit = limits.PublishBurst,
        TokensPerPeriod = Math.Max(1, limits.PublishRatePerSecond / 10),
        ReplenishmentPeriod = Period,
        AutoReplenishment = true,
        QueueLimit = 0,
    };
}
