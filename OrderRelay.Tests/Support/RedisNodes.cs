namespace OrderRelay.Tests.Support;

/// <summary>
/// Relay nodes on one Redis under a key prefix of their own: one logical relay per test, however many
/// nodes. Either on a real redis-server of their own (<see cref="StartAsync"/>) or on a Redis set up
/// elsewhere, e.g. a primary with a replica or sentinels (<see cref="On"/>).
/// </summary>
internal sealed class RedisNodes : IAsyncDisposable
{
    private readonly RedisServer? _redis;

    private RedisNodes(string configuration, RedisServer? redis)
    {
        Configuration = configuration;
        _redis = redis;
    }

    /// <summary>The redis-server these nodes started and stop with them.</summary>
    public RedisServer Redis => _redis ?? throw new InvalidOperationException("These nodes run on a Redis set up elsewhere.");

    public string Configuration { get; }

    public string Prefix { get; } = $"test-{Guid.NewGuid():N}:";

    /// <summary>The settings that make a relay a node of this cluster.</summary>
    public string[] NodeSettings => ["Relay:Store=redis", $"Relay:Redis:Configuration={Configuration}", $"Relay:Redis:KeyPrefix={Prefix}"];

    public static async Task<RedisNodes> StartAsync()
    {
        var redis = await RedisServer.StartAsync();
        return new(redis.Configuration, redis);
    }

    /// <summary>Nodes on a Redis that its caller started and stops.</summary>
    public static RedisNodes On(string configuration) => new(configuration, null);

    public Task<RelayServer> StartNodeAsync(params string[] settings) => RelayServer.StartAsync([.. NodeSettings, .. settings]);

    public ValueTask DisposeAsync() => _redis?.DisposeAsync() ?? ValueTask.CompletedTask;
}
