using OrderRelay.Tests.Support;

namespace OrderRelay.Tests.Connections;

[CancelAfter(60_000)]
public sealed class ReplayTests
{
    [Test]
    public async Task SinceGiven_ReplaysEverythingAfterItThenContinuesLive()
    {
        await using var relay = await RelayServer.StartAsync();
        await using var publisher = await relay.ConnectPublisherAsync();
        for (var i = 1; i <= 10; i++)
        {
            await publisher.PublishAsync(Frames.Order("m-1", i));
        }

        await using var subscriber = await relay.ConnectSubscriberAsync("""{"type":"hello","role":"subscriber","since":4}""");
        await publisher.PublishAsync(Frames.Order("m-1", 11));

        Assert.That(subscriber.Welcome.GetProperty("recovered").GetBoolean(), Is.True);
        Assert.That(subscriber.Welcome.Seq(), Is.EqualTo(10));
        Assert.That(await subscriber.ReceiveOrderSeqsAsync(7), Is.EqualTo(new long[] { 5, 6, 7, 8, 9, 10, 11 }));
    }

    [Test]
    public async Task SinceZero_ReplaysFromTheOldestKeptOrder()
    {
        await using var relay = await RelayServer.StartAsync();
        await using var publisher = await relay.ConnectPublisherAsync();
        for (var i = 1; i <= 3; i++)
        {
            await publisher.PublishAsync(Frames.Order("m-1", i));
        }

        await using var subscriber = await relay.ConnectSubscriberAsync("""{"type":"hello","role":"subscriber","since":0}""");

        Assert.That(subscriber.Welcome.GetProperty("recovered").GetBoolean(), Is.True);
        Assert.That(await subscriber.ReceiveOrderSeqsAsync(3), Is.EqualTo(new long[] { 1, 2, 3 }));
    }

    [Test]
    public async Task SinceWithMerchants_ReplaysOnlyThoseMerchants()
    {
        await using var relay = await RelayServer.StartAsync();
        await using var publisher = await relay.ConnectPublisherAsync();
        for (var i = 1; i <= 9; i++)
        {
            await publisher.PublishAsync(Frames.Order($"m-{i % 3}", i));
        }

        await using var subscriber = await relay.ConnectSubscriberAsync("""{"type":"hello","role":"subscriber","merchants":["m-1"],"since":0}""");

        Assert.That(await subscriber.ReceiveOrderSeqsAsync(3), Is.EqualTo(new long[] { 1, 4, 7 }));
    }

    [Test]
    public async Task SinceBeforePrunedHistory_RecoveredFalseAndReplaysWhatIsKept()
    {
        await using var relay = await RelayServer.StartAsync("Relay:HistoryLimit=5");
        await using var publisher = await relay.ConnectPublisherAsync();
        for (var i = 1; i <= 12; i++)
        {
            await publisher.PublishAsync(Frames.Order("m-1", i));
        }

        await using var behind = await relay.ConnectSubscriberAsync("""{"type":"hello","role":"subscriber","since":3}""");
        await using var justInside = await relay.ConnectSubscriberAsync("""{"type":"hello","role":"subscriber","since":7}""");

        Assert.That(behind.Welcome.GetProperty("recovered").GetBoolean(), Is.False);
        Assert.That(await behind.ReceiveOrderSeqsAsync(5), Is.EqualTo(new long[] { 8, 9, 10, 11, 12 }));
        Assert.That(justInside.Welcome.GetProperty("recovered").GetBoolean(), Is.True);
        Assert.That(await justInside.ReceiveOrderSeqsAsync(5), Is.EqualTo(new long[] { 8, 9, 10, 11, 12 }));
    }

    [Test]
    public async Task SinceFromAnotherEpoch_RecoveredFalseAndReplaysTheWholeCurrentEpoch()
    {
        await using var relay = await RelayServer.StartAsync();
        await using var publisher = await relay.ConnectPublisherAsync();
        await publisher.PublishAsync(Frames.Order("m-1", 1));
        await publisher.PublishAsync(Frames.Order("m-1", 2));

        await using var subscriber = await relay.ConnectSubscriberAsync("""{"type":"hello","role":"subscriber","since":1,"epoch":"e-gone"}""");

        Assert.That(subscriber.Welcome.GetProperty("recovered").GetBoolean(), Is.False);
        Assert.That(await subscriber.ReceiveOrderSeqsAsync(2), Is.EqualTo(new long[] { 1, 2 }));
    }

    [Test]
    public async Task SinceInTheSameEpoch_RecoveredTrue()
    {
        await using var relay = await RelayServer.StartAsync();
        await using var publisher = await relay.ConnectPublisherAsync();
        await publisher.PublishAsync(Frames.Order("m-1", 1));

        await using var subscriber = await relay.ConnectSubscriberAsync(
            $$"""{"type":"hello","role":"subscriber","since":1,"epoch":"{{relay.Relay.Epoch}}"}""");

        Assert.That(subscriber.Welcome.GetProperty("recovered").GetBoolean(), Is.True);
    }

    [Test]
    public async Task SinceAheadOfTheRelay_RecoveredFalse()
    {
        await using var relay = await RelayServer.StartAsync();

        await using var subscriber = await relay.ConnectSubscriberAsync("""{"type":"hello","role":"subscriber","since":500}""");

        Assert.That(subscriber.Welcome.GetProperty("recovered").GetBoolean(), Is.False);
    }

    /// <summary>
    /// The seam: subscribers keep reconnecting with their last seen seq while publishers
    /// publish without pause; every subscriber must end with 1..N exactly once, in order.
    /// </summary>
    [Test]
    public async Task ReconnectingWhilePublishing_NoGapAndNoDuplicateAtTheSeam()
    {
        const int total = 3000;
        await using var relay = await RelayServer.StartAsync("Relay:SubscriberQueueLimit=256");
        await using var publisher = await relay.ConnectPublisherAsync();
        var publishing = Task.Run(async () =>
        {
            for (var i = 1; i <= total; i++)
            {
                await publisher.SendPublishAsync(Frames.Order($"m-{i % 2}", i));
            }

            for (var i = 1; i <= total; i++)
            {
                Assert.That((await publisher.ReceiveAsync()).Type(), Is.EqualTo("ack"));
            }
        });

        var readers = Enumerable.Range(0, 3).Select(_ => ReadAllWithReconnectsAsync(relay, total)).ToArray();
        await publishing;
        foreach (var seen in await Task.WhenAll(readers))
        {
            Assert.That(seen, Is.EqualTo(Enumerable.Range(1, total).Select(s => (long)s)));
        }
    }

    private static async Task<List<long>> ReadAllWithReconnectsAsync(RelayServer relay, int total)
    {
        var seen = new List<long>();
        var reconnectEvery = Random.Shared.Next(150, 400);
        while (seen.Count < total)
        {
            var since = seen.Count == 0 ? 0 : seen[^1];
            await using var subscriber = await relay.ConnectAsync();
            await subscriber.SendAsync($$"""{"type":"hello","role":"subscriber","since":{{since}}}""");
            // A reader that falls a queue behind the publisher is dropped as a slow consumer
            // (possibly before its welcome is sent); like a real client it then resumes with since.
            for (var i = 0; i < reconnectEvery && seen.Count < total;)
            {
                var frame = await subscriber.ReceiveAsync();
                if (frame.Type() == "order")
                {
                    seen.Add(frame.Seq());
                    i++;
                }
                else if (frame.Type() == "error")
                {
                    Assert.That(frame.Code(), Is.EqualTo("slow_consumer"));
                    break;
                }
            }
        }

        return seen;
    }
}
