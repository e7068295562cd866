using System.Threading.RateLimiting;
using OrderRelay.Configuration;

namespace OrderRelay.Security;

/// <summary>Token buckets for publishers: one per WebSocket publisher, one per key (or address) over HTTP.</summary>
internal sealed class PublishRateLimits : IDisposable
{
    private readonly TokenBucketRateLimiterOptions _bucket;
    private readonly PartitionedRateLimiter<string> _http;

    public PublishRateLimits(LimitOptions limits)
    {
        _bucket = Options(limits);
        // One factory for every partition: written inline, it was a closure and a delegate per publish.
        Func<string, TokenBucketRateLimiterOptions> bucketFor = _ => _bucket;
        _http = PartitionedRateLimiter.Create<string, string>(partition => RateLimitPartition.GetTokenBucketLimiter(partition, bucketFor));
    }

    /// <summary>A bucket for one publisher connection; the connection disposes it.</summary>
    public RateLimiter ForConnection() => new TokenBucketRateLimiter(_bucket);

    /// <summary>True when an HTTP publish under <paramref name="partition"/> may go ahead now.</summary>
    public bool TryAcquireHttp(string partition)
    {
        using var lease = _http.AttemptAcquire(partition);
        return lease.IsAcquired;
    }

    public void Dispose() => _http.Dispose();

    // Refilled every tenth of a second where the rate divides into tenths, so a publisher that hit its
    // limit recovers smoothly; otherwise as often as keeps the rate exact (a rate of 1/s must not become 10/s).
    private static TokenBucketRateLimiterOptions Options(LimitOptions limits)
    {
        var rate = limits.PublishRatePerSecond;
        var (tokens, period) = rate % 10 == 0 ? (rate / 10, TimeSpan.FromMilliseconds(100))
            : rate < 10 ? (1, TimeSpan.FromSeconds(1.0 / rate))
            : (rate, TimeSpan.FromSeconds(1));
        return new TokenBucketRateLimiterOptions
        {
            TokenLimit = limits.PublishBurst,
            TokensPerPeriod = tokens,
            ReplenishmentPeriod = period,
            AutoReplenishment = true,
            QueueLimit = 0,
        };
    }
}
