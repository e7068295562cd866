namespace OrderRelay.Tests.Support;

/// <summary>
/// A real redis-server and the relay nodes started on it under a key prefix of their own:
/// one logical relay per test, however many nodes.
/// </summary>
internal sealed class RedisNodes : IAsyncDisposable
{
    private RedisNodes(RedisServer redis)
    {
        Redis = redis;
    }

    public RedisServer Redis { get; }

    public string Prefix { get; } = $"test-{Guid.NewGuid():N}:";

    /// <summary>The settings that make a relay a node of this cluster.</summary>
    public string[] NodeSettings => ["Relay:Store=redis", $"Relay:Redis:Configuration={Redis.Configuration}", $"Relay:Redis:KeyPrefix={Prefix}"];

    public static async Task<RedisNodes> StartAsync() => new(await RedisServer.StartAsync());

    public Task<RelayServer> StartNodeAsync(params string[] settings) => RelayServer.StartAsync([.. NodeSettings, .. settings]);

    public ValueTask DisposeAsync() => Redis.DisposeAsync();
}
