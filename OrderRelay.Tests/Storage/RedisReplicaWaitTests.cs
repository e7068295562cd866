using System.Diagnostics;
using System.Globalization;
using OrderRelay.Configuration;
using OrderRelay.Tests.Support;
using StackExchange.Redis;

namespace OrderRelay.Tests.Storage;

/// <summary>
/// <c>Relay:Redis:WaitReplicas</c> against a real primary and replica: an ack means the replica
/// has the order; without it the publish is refused within a bound, and its retry is safe.
/// </summary>
[CancelAfter(120_000)]
public sealed class RedisReplicaWaitTests
{
    /// <summary>The default <c>Relay:Redis:WaitTimeout</c>, and the margin a loaded machine needs on top.</summary>
    private static readonly TimeSpan WaitTimeout = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan Margin = TimeSpan.FromSeconds(2.5);

    private RedisServer _primary = null!;
    private RedisServer _replica = null!;
    private RedisNodes _nodes = null!;

    [SetUp]
    public async Task StartRedis()
    {
        _primary = await RedisServer.StartAsync("--appendonly", "no");
        _replica = await RedisServer.StartAsync("--appendonly", "no", "--replicaof", "127.0.0.1", _primary.Port.ToString(CultureInfo.InvariantCulture));
        await _replica.WaitUntilReplicatingAsync();
        _nodes = RedisNodes.On(_primary.Configuration);
    }

    [TearDown]
    public async Task StopRedis()
    {
        await _nodes.DisposeAsync();
        await _replica.DisposeAsync();
        await _primary.DisposeAsync();
    }

    [Test]
    public async Task WaitReplicasOne_ReplicaUp_AckedOrdersAreOnTheReplicaWhenAcked()
    {
        await using var node = await StartNodeAsync(waitReplicas: 1);
        await using var publisher = await node.ConnectPublisherAsync();
        await using var replica = await ConnectionMultiplexer.ConnectAsync(_replica.Configuration);

        for (var i = 1; i <= 20; i++)
        {
            var ack = await publisher.PublishAsync(Frames.Order("m-1", i), id: $"ord-{i}");

            Assert.That(ack.Seq(), Is.EqualTo(i));
            var onReplica = await replica.GetDatabase().StreamRangeAsync(_nodes.Prefix + "orders", minId: $"{i}-0", maxId: $"{i}-0");
            Assert.That(onReplica, Has.Length.EqualTo(1), $"order {i} was on the replica when it was acked");
        }
    }

    [Test]
    public async Task WaitReplicasOne_ReplicaStopped_PublishRefusedWithinTheBound_AndItsRetryAfterwardsIsTheOriginalSeq()
    {
        await using var node = await StartNodeAsync(waitReplicas: 1);
        await using var publisher = await node.ConnectPublisherAsync();
        await using var subscriber = await node.ConnectSubscriberAsync();
        Assert.That((await publisher.PublishAsync(Frames.Order("m-1", 1), id: "ord-1")).Seq(), Is.EqualTo(1));
        Assert.That((await subscriber.ReceiveAsync()).Seq(), Is.EqualTo(1));

        await _replica.PauseAsync();
        var clock = Stopwatch.StartNew();
        var refused = await publisher.PublishAsync(Frames.Order("m-1", 2), id: "ord-2");
        var took = clock.Elapsed;

        Assert.That(refused.Code(), Is.EqualTo("store_unavailable"));
        Assert.That(took, Is.LessThan(WaitTimeout + Margin));
        // Not confirmed is not "not stored": the order is in the stream, so it is delivered (docs/scaling.md).
        Assert.That((await subscriber.ReceiveAsync()).Seq(), Is.EqualTo(2));

        await _replica.ResumeAsync();
        var retried = await publisher.PublishUntilAckedAsync(Frames.Order("m-1", 2), "ord-2");
        Assert.That(retried.Seq(), Is.EqualTo(2));
        Assert.That(retried.GetProperty("duplicate").GetBoolean(), Is.True);
        Assert.That((await publisher.PublishAsync(Frames.Order("m-1", 3), id: "ord-3")).Seq(), Is.EqualTo(3));
        Assert.That((await subscriber.ReceiveAsync()).Seq(), Is.EqualTo(3), "the retry was not delivered again");
    }

    [Test]
    public async Task WaitReplicasZero_ReplicaStopped_PublishAckedOnThePrimaryAlone()
    {
        await using var node = await StartNodeAsync(waitReplicas: 0);
        await using var publisher = await node.ConnectPublisherAsync();

        await _replica.PauseAsync();
        var ack = await publisher.PublishAsync(Frames.Order("m-1", 1), id: "ord-1");
        await _replica.ResumeAsync();

        Assert.That(ack.Seq(), Is.EqualTo(1));
    }

    [TestCase("Relay:Redis:WaitReplicas=-1", "Relay:Redis:WaitReplicas")]
    [TestCase("Relay:Redis:WaitTimeout=00:00:00", "Relay:Redis:WaitTimeout")]
    [TestCase("Relay:Redis:WaitTimeout=00:00:02", "Relay:Redis:WaitTimeout")]
    public void BadWaitSetting_StartupRefusedNamingIt(string setting, string named)
    {
        var refusal = Assert.ThrowsAsync<RelayStartupException>(() =>
            RelayServer.StartAsync("Relay:Store=redis", $"Relay:Redis:Configuration={_primary.Configuration}", "Relay:Redis:WaitReplicas=1", setting));

        Assert.That(refusal!.Message, Does.Contain(named));
    }

    [Test]
    public void Defaults_NoReplicaWaitAndOneSecondTimeout()
    {
        var options = new RedisStoreOptions();

        Assert.That(options.WaitReplicas, Is.Zero);
        Assert.That(options.WaitTimeout, Is.EqualTo(WaitTimeout));
    }

    private Task<RelayServer> StartNodeAsync(int waitReplicas) => _nodes.StartNodeAsync($"Relay:Redis:WaitReplicas={waitReplicas}");
}
