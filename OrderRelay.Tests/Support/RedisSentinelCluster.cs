using System.Globalization;
using StackExchange.Redis;

namespace OrderRelay.Tests.Support;

/// <summary>
/// Redis run for high availability, as real processes on loopback: a primary, one replica of
/// it and three sentinels (quorum two) that declare the primary down after a second without
/// an answer and promote the replica. Everything is killed and its directory removed on dispose.
/// </summary>
internal sealed class RedisSentinelCluster : IAsyncDisposable
{
    public const string ServiceName = "mymaster";

    private static readonly TimeSpan DownAfter = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan FailoverTimeout = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan ReadyBound = TimeSpan.FromSeconds(60);

    private readonly List<RedisServer> _sentinels;

    private RedisSentinelCluster(RedisServer primary, RedisServer replica, List<RedisServer> sentinels)
    {
        Primary = primary;
        Replica = replica;
        _sentinels = sentinels;
    }

    /// <summary>The server started as the primary.</summary>
    public RedisServer Primary { get; }

    /// <summary>The server started as a replica of <see cref="Primary"/>, the one promoted when it fails.</summary>
    public RedisServer Replica { get; }

    /// <summary>The relay's <c>Relay:Redis:Configuration</c>: the sentinels and the service name, no data server.</summary>
    public string Configuration =>
        string.Join(',', _sentinels.Select(sentinel => $"127.0.0.1:{sentinel.Port}")) + $",serviceName={ServiceName},connectTimeout=2000";

    public static async Task<RedisSentinelCluster> StartAsync()
    {
        var started = new List<RedisServer>();
        try
        {
            // No persistence: what survives the primary is what reached the replica.
            var primary = await RedisServer.StartAsync("--appendonly", "no");
            started.Add(primary);
            var replica = await RedisServer.StartAsync("--appendonly", "no", "--replicaof", "127.0.0.1", primary.Port.ToString(CultureInfo.InvariantCulture));
            started.Add(replica);
            var sentinels = new List<RedisServer>();
            for (var i = 0; i < 3; i++)
            {
                var sentinel = await RedisServer.StartSentinelAsync(primary.Port, ServiceName, quorum: 2, DownAfter, FailoverTimeout);
                started.Add(sentinel);
                sentinels.Add(sentinel);
            }

            var cluster = new RedisSentinelCluster(primary, replica, sentinels);
            await replica.WaitUntilReplicatingAsync();
            await cluster.WaitUntilSentinelsReadyAsync();
            return cluster;
        }
        catch
        {
            foreach (var server in started)
            {
                await server.DisposeAsync();
            }

            throw;
        }
    }

    /// <summary>Waits until every sentinel names <paramref name="server"/> as the primary, i.e. a failover to it has completed.</summary>
    public async Task WaitUntilPrimaryIsAsync(RedisServer server)
    {
        await UntilEverySentinelAsync(async sentinel =>
        {
            var primary = await sentinel.SentinelGetMasterAddressByNameAsync(ServiceName);
            return primary is System.Net.IPEndPoint endPoint && endPoint.Port == server.Port;
        }, $"the sentinels to name 127.0.0.1:{server.Port} the primary");
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var sentinel in _sentinels)
        {
            await sentinel.DisposeAsync();
        }

        await Replica.DisposeAsync();
        await Primary.DisposeAsync();
    }

    /// <summary>A failover can only happen once the sentinels know the replica and have found each other.</summary>
    private Task WaitUntilSentinelsReadyAsync() =>
        UntilEverySentinelAsync(async sentinel =>
        {
            var state = (await sentinel.SentinelMasterAsync(ServiceName)).ToDictionary(pair => pair.Key, pair => pair.Value);
            var replicas = await sentinel.SentinelReplicasAsync(ServiceName);
            return state["num-slaves"] == "1" && state["num-other-sentinels"] == "2"
                && replicas.Length == 1 && replicas[0].Single(pair => pair.Key == "master-link-status").Value == "ok";
        }, "every sentinel to know the replica and the two other sentinels");

    /// <summary>Sentinels log some of what they learn but not all of it (a replica's link status), so each one is asked.</summary>
    private async Task UntilEverySentinelAsync(Func<IServer, Task<bool>> condition, string what)
    {
        var waited = System.Diagnostics.Stopwatch.StartNew();
        foreach (var sentinel in _sentinels)
        {
            await using var connection = await ConnectionMultiplexer.SentinelConnectAsync($"127.0.0.1:{sentinel.Port},connectTimeout=2000");
            var server = connection.GetServer("127.0.0.1", sentinel.Port);
            await Eventually.UntilAsync(() => condition(server), what, ReadyBound - waited.Elapsed, TimeSpan.FromMilliseconds(100));
        }
    }
}
