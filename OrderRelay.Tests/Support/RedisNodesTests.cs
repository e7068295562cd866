namespace OrderRelay.Tests.Support;

/// <summary>Tests of relay nodes on Redis: a fresh redis-server and key prefix (<see cref="RedisNodes"/>) for each test.</summary>
public abstract class RedisNodesTests
{
    private protected RedisNodes Cluster { get; private set; } = null!;

    [SetUp]
    public async Task StartRedis() => Cluster = await RedisNodes.StartAsync();

    [TearDown]
    public async Task StopRedis()
    {
        // Null when the start itself failed; that failure is the one to read.
        if (Cluster is not null)
        {
            await Cluster.DisposeAsync();
        }
    }
}
