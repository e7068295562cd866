using System.Net;
using OrderRelay.Configuration;
using OrderRelay.Tests.Support;

namespace OrderRelay.Tests.Storage;

/// <summary>Several relay nodes on one real redis-server behave as one relay.</summary>
[CancelAfter(120_000)]
public sealed class RedisClusterTests : RedisNodesTests
{
    [Test]
    public async Task OrderPublishedOnOneNode_ReachesSubscribersOnEveryNodeOnce()
    {
        await using var a = await Cluster.StartNodeAsync();
        await using var b = await Cluster.StartNodeAsync();
        await using var c = await Cluster.StartNodeAsync();
        await using var onB = await b.ConnectSubscriberAsync("""{"type":"hello","role":"subscriber","merchants":["m-1"]}""");
        await using var onC = await c.ConnectSubscriberAsync();
        await using var publisher = await a.ConnectPublisherAsync();

        var ack = await publisher.PublishAsync(Frames.Order("m-1", 1), id: "ord-1");
        await publisher.PublishAsync(Frames.Order("m-2", 2), id: "ord-2");
        var duplicate = await publisher.PublishAsync(Frames.Order("m-1", 1), id: "ord-1");
        await publisher.PublishAsync(Frames.Order("m-1", 3), id: "ord-3");

        Assert.That(a.Relay.Epoch, Is.EqualTo(b.Relay.Epoch).And.EqualTo(c.Relay.Epoch), "one epoch for the cluster");
        Assert.That(duplicate.GetProperty("duplicate").GetBoolean(), Is.True);
        Assert.That(duplicate.Seq(), Is.EqualTo(ack.Seq()));
        Assert.That(await onB.ReceiveOrderSeqsAsync(2), Is.EqualTo(new long[] { 1, 3 }));
        Assert.That(await onC.ReceiveOrderSeqsAsync(3), Is.EqualTo(new long[] { 1, 2, 3 }));
        await onB.SendAsync("""{"type":"ping"}""");
        Assert.That((await onB.ReceiveAsync()).Type(), Is.EqualTo("pong"), "nothing was delivered twice");
    }

    [Test]
    public async Task ConcurrentPublishersOnSeveralNodes_OneGapFreeSequenceEverywhere()
    {
        const int perPublisher = 300;
        await using var a = await Cluster.StartNodeAsync();
        await using var b = await Cluster.StartNodeAsync();
        await using var onA = await a.ConnectSubscriberAsync();
        await using var onB = await b.ConnectSubscriberAsync();
        var publishers = new[] { await a.ConnectPublisherAsync(), await b.ConnectPublisherAsync(), await a.ConnectPublisherAsync(), await b.ConnectPublisherAsync() };
        try
        {
            await Task.WhenAll(publishers.Select(async (publisher, p) =>
            {
                for (var i = 0; i < perPublisher; i++)
                {
                    await publisher.SendPublishAsync(Frames.Order($"m-{i % 5}", i), id: $"p{p}-{i}");
                }

                for (var i = 0; i < perPublisher; i++)
                {
                    Assert.That((await publisher.ReceiveAsync()).Type(), Is.EqualTo("ack"));
                }
            }));
        }
        finally
        {
            foreach (var publisher in publishers)
            {
                await publisher.DisposeAsync();
            }
        }

        var expected = Enumerable.Range(1, publishers.Length * perPublisher).Select(s => (long)s).ToArray();
        Assert.That(await onA.ReceiveOrderSeqsAsync(expected.Length), Is.EqualTo(expected));
        Assert.That(await onB.ReceiveOrderSeqsAsync(expected.Length), Is.EqualTo(expected));
    }

    [Test]
    public async Task NodeKilledWhileOrdersFlow_ItsSubscriberResumesOnAnotherNodeWithNothingMissingOrTwice()
    {
        const int total = 600;
        await using var survivor = await Cluster.StartNodeAsync();
        var doomed = await RelayProcess.StartAsync(Cluster.NodeSettings);
        await using var publisher = await survivor.ConnectPublisherAsync();
        var seen = new List<long>();
        var subscriber = await WsClient.ConnectAsync(doomed.WebSocketUri);
        await subscriber.HelloAsync("""{"type":"hello","role":"subscriber"}""");

        var publishing = Task.Run(async () =>
        {
            for (var i = 1; i <= total; i++)
            {
                Assert.That((await publisher.PublishAsync(Frames.Order("m-1", i), id: $"ord-{i}")).Seq(), Is.EqualTo(i));
            }
        });
        while (seen.Count < 100)
        {
            seen.Add((await subscriber.ReceiveAsync()).Seq());
        }

        await doomed.DisposeAsync();
        await subscriber.DisposeAsync();
        await using var resumed = await survivor.ConnectSubscriberAsync(
            $$"""{"type":"hello","role":"subscriber","since":{{seen[^1]}},"epoch":"{{survivor.Relay.Epoch}}"}""");
        Assert.That(resumed.Welcome.GetProperty("recovered").GetBoolean(), Is.True);
        while (seen.Count < total)
        {
            seen.Add((await resumed.ReceiveAsync()).Seq());
        }

        await publishing;
        Assert.That(seen, Is.EqualTo(Enumerable.Range(1, total).Select(s => (long)s)));
    }

    [Test]
    public async Task RedisLostAndBack_PublishesFailMeanwhileHealthTurns503AndSubscribersCatchUpAfter()
    {
        await using var a = await Cluster.StartNodeAsync();
        await using var b = await Cluster.StartNodeAsync();
        await using var onA = await a.ConnectSubscriberAsync();
        await using var publisherOnB = await b.ConnectPublisherAsync();
        Assert.That((await publisherOnB.PublishAsync(Frames.Order("m-1", 1))).Seq(), Is.EqualTo(1));
        Assert.That((await onA.ReceiveAsync()).Seq(), Is.EqualTo(1));

        await Cluster.Redis.KillAsync();

        var refused = await publisherOnB.PublishAsync(Frames.Order("m-1", 2), id: "during-outage");
        Assert.That(refused.Code(), Is.EqualTo("store_unavailable"));
        Assert.That(refused.GetProperty("id").GetString(), Is.EqualTo("during-outage"));
        await a.WaitForHealthAsync(HttpStatusCode.ServiceUnavailable);

        await Cluster.Redis.RestartAsync();

        var retried = await publisherOnB.PublishUntilAckedAsync(Frames.Order("m-1", 2), "during-outage");
        Assert.That(retried.Seq(), Is.EqualTo(2), "the refused publish took no seq");
        Assert.That((await onA.ReceiveAsync()).Seq(), Is.EqualTo(2), "the subscriber stayed connected and gets what came after");
        await a.WaitForHealthAsync(HttpStatusCode.OK);
    }

    [Test]
    public async Task ReplayOnAnyNode_ComesFromTheSharedStream()
    {
        await using var a = await Cluster.StartNodeAsync();
        await using var publisher = await a.ConnectPublisherAsync();
        for (var i = 1; i <= 5; i++)
        {
            await publisher.PublishAsync(Frames.Order($"m-{i % 2}", i));
        }

        await using var b = await Cluster.StartNodeAsync();
        await using var onB = await b.ConnectSubscriberAsync("""{"type":"hello","role":"subscriber","merchants":["m-1"],"since":0}""");

        Assert.That(onB.Welcome.Seq(), Is.EqualTo(5));
        Assert.That(await onB.ReceiveOrderSeqsAsync(3), Is.EqualTo(new long[] { 1, 3, 5 }));
    }

    [Test]
    public async Task ConfirmationOnOneNode_VisibleFromAnother()
    {
        await using var a = await Cluster.StartNodeAsync();
        await using var b = await Cluster.StartNodeAsync();
        await using var page = await a.ConnectSubscriberAsync("""{"type":"hello","role":"subscriber","merchants":["m-7"]}""");
        await using var publisher = await a.ConnectPublisherAsync();
        await publisher.PublishAsync(Frames.Order("m-7", 1));
        await page.ReceiveAsync();

        await page.SendAsync("""{"type":"ack","seq":1}""");
        await page.SendAsync("""{"type":"ping"}""");
        await page.ReceiveOfTypeAsync("pong");

        var status = await b.Http.GetStringAsync("/merchants/m-7");
        Assert.That(status, Does.Contain("\"confirmed_seq\":1"));
    }

    [Test]
    public void RedisUnreachableAtStart_StartupRefusedNamingTheStore()
    {
        var refusal = Assert.ThrowsAsync<RelayStartupException>(() =>
            RelayServer.StartAsync("Relay:Store=redis", "Relay:Redis:Configuration=127.0.0.1:1,connectTimeout=500"));

        Assert.That(refusal!.Message, Does.Contain("Relay:Store").And.Contain("redis"));
    }

    [Test]
    public void RedisStoreWithoutConfiguration_StartupRefusedNamingTheSetting()
    {
        var refusal = Assert.ThrowsAsync<RelayStartupException>(() => RelayServer.StartAsync("Relay:Store=redis"));

        Assert.That(refusal!.Message, Does.Contain("Relay:Redis:Configuration"));
    }

}
