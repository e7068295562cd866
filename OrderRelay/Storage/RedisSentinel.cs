using StackExchange.Redis;

namespace OrderRelay.Storage;

/// <summary>What connecting through Redis Sentinel (<c>serviceName=</c>) needs beyond what StackExchange.Redis does by itself.</summary>
internal static class RedisSentinel
{
    /// <summary>Worker threads the pool starts at once when asked, without its usual injection delay.</summary>
    private const int MinimumPoolThreads = 32;

    public static bool IsConfiguredIn(ConfigurationOptions options) => !string.IsNullOrEmpty(options.ServiceName);

    /// <summary>
    /// StackExchange.Redis 2.13 follows a failover partly on thread-pool threads that it blocks
    /// (it waits synchronously for its reconfiguration and asks the sentinels through parallel
    /// queries). With the pool's minimum at the core count, a failover took every pool thread and
    /// froze the node for about 3 s on 2 cores (RedisSentinelTests): publishes, health checks and
    /// fan-out all waited. A higher minimum lets the pool start the threads it needs at once.
    /// </summary>
    public static void PrepareProcess(ConfigurationOptions options)
    {
        if (!IsConfiguredIn(options))
        {
            return;
        }

        ThreadPool.GetMinThreads(out var workers, out var completionPorts);
        ThreadPool.SetMinThreads(Math.Max(workers, MinimumPoolThreads), completionPorts);
    }
}
