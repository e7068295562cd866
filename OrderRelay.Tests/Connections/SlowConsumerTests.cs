using System.Net.WebSockets;
using OrderRelay.Tests.Support;

namespace OrderRelay.Tests.Connections;

[CancelAfter(90_000)]
public sealed class SlowConsumerTests
{
    /// <summary>Orders big enough that a few hundred overflow every loopback socket buffer.</summary>
    private static readonly string Filler = new('x', 50_000);

    [Test]
    public async Task SubscriberThatStopsReading_GetsSlowConsumerAnd1013_WhileOthersAndThePublisherCarryOn()
    {
        const int orders = 600;
        await using var relay = await RelayServer.StartAsync("Relay:SubscriberQueueLimit=128", "Relay:CloseTimeout=00:00:20");
        await using var stalled = await relay.ConnectSubscriberAsync();
        await using var healthy = await relay.ConnectSubscriberAsync();
        await using var publisher = await relay.ConnectPublisherAsync();

        // Publishing in windows that the healthy subscriber reads before the next one starts
        // keeps the healthy subscriber within its limit; the stalled one never reads.
        for (var window = 0; window < orders; window += 32)
        {
            var count = Math.Min(32, orders - window);
            for (var i = 1; i <= count; i++)
            {
                await publisher.SendPublishAsync(BigOrder(window + i));
            }

            for (var i = 1; i <= count; i++)
            {
                Assert.That((await publisher.ReceiveAsync()).Seq(), Is.EqualTo(window + i), "the publisher is acked regardless of the stalled subscriber");
            }

            for (var i = 1; i <= count; i++)
            {
                var frame = await healthy.ReceiveAsync();
                Assert.That(frame.Type(), Is.EqualTo("order"), frame.ToString());
                Assert.That(frame.Seq(), Is.EqualTo(window + i));
            }
        }

        // Now read what the stalled subscriber was sent: some orders, then the error and 1013.
        long lastSeen = 0;
        while (true)
        {
            var frame = await stalled.ReceiveAsync();
            if (frame.Type() == "order")
            {
                Assert.That(frame.Seq(), Is.EqualTo(lastSeen + 1));
                lastSeen = frame.Seq();
                continue;
            }

            Assert.That(frame.Code(), Is.EqualTo("slow_consumer"));
            break;
        }

        Assert.That(await stalled.ReceiveCloseAsync(), Is.EqualTo((WebSocketCloseStatus)1013));
        Assert.That(lastSeen, Is.LessThan(orders));

        // Nothing is lost: reconnecting with since replays the rest.
        await using var resumed = await relay.ConnectSubscriberAsync($$"""{"type":"hello","role":"subscriber","since":{{lastSeen}}}""");
        Assert.That(resumed.Welcome.GetProperty("recovered").GetBoolean(), Is.True);
        for (var expected = lastSeen + 1; expected <= orders; expected++)
        {
            Assert.That((await resumed.ReceiveAsync()).Seq(), Is.EqualTo(expected));
        }

        using var metrics = await relay.Http.GetAsync("/metrics");
        Assert.That(await metrics.Content.ReadAsStringAsync(), Does.Contain("orderrelay_slow_consumers_dropped_total 1"));
    }

    [Test]
    public async Task StalledSubscriberThatNeverReads_IsAbortedAfterTheCloseTimeout()
    {
        await using var relay = await RelayServer.StartAsync("Relay:SubscriberQueueLimit=4", "Relay:CloseTimeout=00:00:00.500");
        await using var stalled = await relay.ConnectSubscriberAsync();
        var connection = relay.Connections.Find(stalled.Welcome.GetProperty("connection_id").GetString()!)!;
        await using var publisher = await relay.ConnectPublisherAsync();

        for (var i = 1; i <= 600; i++)
        {
            await publisher.SendPublishAsync(BigOrder(i));
        }

        await connection.Completion.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.That(relay.Connections.Find(connection.Id), Is.Null);
    }

    private static string BigOrder(int orderId) => $$"""{"order_id":{{orderId}},"merchant_id":"m-1","note":"{{Filler}}"}""";
}
