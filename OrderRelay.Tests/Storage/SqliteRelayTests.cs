using System.Net;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using OrderRelay.Storage;
using OrderRelay.Tests.Support;

namespace OrderRelay.Tests.Storage;

/// <summary>The relay on a real SQLite journal: restarts, duplicates, confirmations, retention and failures end to end.</summary>
[CancelAfter(60_000)]
public sealed class SqliteRelayTests : JournalDirectoryTests
{
    [Test]
    public async Task Restart_AckedOrders_ReplayedExactlyOnceInSameEpoch()
    {
        const int count = 50;
        string epoch;
        await using (var relay = await StartAsync())
        {
            epoch = relay.Relay.Epoch;
            await using var publisher = await relay.ConnectPublisherAsync();
            for (var i = 1; i <= count; i++)
            {
                Assert.That((await publisher.PublishAsync(Frames.Order("m-" + (i % 3), i), "ord-" + i)).Seq(), Is.EqualTo(i));
            }
        }

        await using var restarted = await StartAsync();
        await using var subscriber = await restarted.ConnectSubscriberAsync("""{"type":"hello","role":"subscriber","since":0}""");
        var replayed = await ReceiveOrdersAsync(subscriber, count);
        await PublishOneAsync(restarted, count + 1);

        Assert.Multiple(() =>
        {
            Assert.That(subscriber.Welcome.GetProperty("epoch").GetString(), Is.EqualTo(epoch));
            Assert.That(subscriber.Welcome.Seq(), Is.EqualTo(count));
            Assert.That(subscriber.Welcome.GetProperty("recovered").GetBoolean(), Is.True);
            Assert.That(replayed.Select(order => order.Seq()), Is.EqualTo(Enumerable.Range(1, count).Select(i => (long)i)));
            Assert.That(replayed.Select(order => order.GetProperty("order").GetProperty("order_id").GetInt32()), Is.EqualTo(Enumerable.Range(1, count)));
        });
        Assert.That((await subscriber.ReceiveOfTypeAsync("order")).Seq(), Is.EqualTo(count + 1), "live delivery follows with no duplicate");
    }

    [Test]
    public async Task Restart_RetriedPublish_AcknowledgedAsDuplicate()
    {
        await using (var relay = await StartAsync())
        {
            await using var publisher = await relay.ConnectPublisherAsync();
            await publisher.PublishAsync(Frames.Order("m-1", 1), "ord-1");
        }

        await using var restarted = await StartAsync();
        await using var retrying = await restarted.ConnectPublisherAsync();
        var ack = await retrying.PublishAsync(Frames.Order("m-1", 1), "ord-1");
        using var http = await restarted.Http.PostAsync("/publish", new StringContent(Frames.Order("m-1", 1))
        {
            Headers = { { "Idempotency-Key", "ord-1" } },
        });

        Assert.That(ack.Seq(), Is.EqualTo(1));
        Assert.That(ack.GetProperty("duplicate").GetBoolean(), Is.True);
        Assert.That(await http.Content.ReadAsStringAsync(), Is.EqualTo("""{"seq":1,"duplicate":true}"""));
    }

    [Test]
    public async Task Restart_Confirmation_StillReported()
    {
        await using (var relay = await StartAsync())
        {
            await using var subscriber = await relay.ConnectSubscriberAsync("""{"type":"hello","role":"subscriber","merchants":["m-1"]}""");
            await PublishOneAsync(relay, 1);
            Assert.That((await subscriber.ReceiveOfTypeAsync("order")).Seq(), Is.EqualTo(1));
            await subscriber.SendAsync("""{"type":"ack","seq":1}""");
            await subscriber.SendAsync("""{"type":"ping"}""");
            await subscriber.ReceiveOfTypeAsync("pong");
        }

        await using var restarted = await StartAsync();
        using var status = JsonDocument.Parse(await restarted.Http.GetStringAsync("/merchants/m-1"));

        Assert.That(status.RootElement.GetProperty("confirmed_seq").GetInt64(), Is.EqualTo(1));
        Assert.That(status.RootElement.GetProperty("confirmed_at").GetString(), Does.EndWith("Z"));
    }

    [Test]
    public async Task ConcurrentPublishers_EveryOrderOnceGapFreeAndReplayable()
    {
        const int publishers = 8;
        const int perPublisher = 150;
        await using var relay = await StartAsync("Relay:SubscriberQueueLimit=10000");
        await using var live = await relay.ConnectSubscriberAsync();

        var acks = await Task.WhenAll(Enumerable.Range(0, publishers).Select(async p =>
        {
            await using var publisher = await relay.ConnectPublisherAsync();
            for (var i = 0; i < perPublisher; i++)
            {
                await publisher.SendPublishAsync(Frames.Order("m-" + p, (p * 1000) + i), $"p{p}-{i}");
            }

            var seqs = new List<long>();
            for (var i = 0; i < perPublisher; i++)
            {
                var ack = await publisher.ReceiveAsync();
                Assert.That(ack.GetProperty("id").GetString(), Is.EqualTo($"p{p}-{i}"), "acks come in publish order");
                seqs.Add(ack.Seq());
            }

            return seqs;
        }));

        var all = acks.SelectMany(seqs => seqs).Order().ToList();
        var delivered = await ReceiveOrdersAsync(live, publishers * perPublisher);
        await using var replay = await relay.ConnectSubscriberAsync("""{"type":"hello","role":"subscriber","since":0}""");
        var replayed = await ReceiveOrdersAsync(replay, publishers * perPublisher);

        var expected = Enumerable.Range(1, publishers * perPublisher).Select(i => (long)i).ToList();
        Assert.That(all, Is.EqualTo(expected));
        Assert.That(acks.All(seqs => seqs.SequenceEqual(seqs.Order())), Is.True, "each publisher's orders keep their order");
        Assert.That(delivered.Select(order => order.Seq()), Is.EqualTo(expected));
        Assert.That(replayed.Select(order => order.Seq()), Is.EqualTo(expected));
    }

    [Test]
    public async Task Pruned_SinceBeforeKept_NotRecoveredAndSeamExact()
    {
        // A recent-orders ring smaller than what is kept, so that replay reads the pruned journal.
        await using var relay = await StartAsync("Relay:History:MaxOrders=10", "Relay:SubscriberQueueLimit=4");
        for (var i = 1; i <= 30; i++)
        {
            await PublishOneAsync(relay, i);
        }

        await ((SqliteOrderStore)relay.Services.GetRequiredService<IOrderStore>()).RunMaintenanceAsync(CancellationToken.None);
        await using var behind = await relay.ConnectSubscriberAsync("""{"type":"hello","role":"subscriber","since":5}""");
        await using var atEdge = await relay.ConnectSubscriberAsync("""{"type":"hello","role":"subscriber","since":20}""");
        var fromBehind = await ReceiveOrdersAsync(behind, 10);
        var fromEdge = await ReceiveOrdersAsync(atEdge, 10);
        await PublishOneAsync(relay, 31);

        var kept = Enumerable.Range(21, 10).Select(i => (long)i);
        Assert.Multiple(() =>
        {
            Assert.That(behind.Welcome.GetProperty("recovered").GetBoolean(), Is.False);
            Assert.That(atEdge.Welcome.GetProperty("recovered").GetBoolean(), Is.True);
            Assert.That(fromBehind.Select(order => order.Seq()), Is.EqualTo(kept));
            Assert.That(fromEdge.Select(order => order.Seq()), Is.EqualTo(kept));
        });
        Assert.That((await behind.ReceiveOfTypeAsync("order")).Seq(), Is.EqualTo(31));
        Assert.That((await atEdge.ReceiveOfTypeAsync("order")).Seq(), Is.EqualTo(31));
    }

    [Test]
    public async Task WritesFail_PublishRefusedHealthUnavailableUntilWritesSucceed()
    {
        await using var relay = await StartAsync("Relay:Sqlite:BusyTimeout=00:00:01");
        await using var publisher = await relay.ConnectPublisherAsync();
        Assert.That((await publisher.PublishAsync(Frames.Order("m-1", 1), "ord-1")).Seq(), Is.EqualTo(1));

        await using (await WriteLockHolder.TakeAsync(DatabasePath))
        {
            var refused = await publisher.PublishAsync(Frames.Order("m-1", 2), "ord-2");
            Assert.That(refused.Type(), Is.EqualTo("error"));
            Assert.That(refused.Code(), Is.EqualTo("store_unavailable"));
            Assert.That(refused.GetProperty("id").GetString(), Is.EqualTo("ord-2"));
            using var unhealthy = await relay.Http.GetAsync("/healthz");
            Assert.That(unhealthy.StatusCode, Is.EqualTo(HttpStatusCode.ServiceUnavailable));
        }

        using var healthy = await relay.Http.GetAsync("/healthz");
        Assert.That(healthy.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That((await publisher.PublishAsync(Frames.Order("m-1", 2), "ord-2")).Seq(), Is.EqualTo(2));
        await using var subscriber = await relay.ConnectSubscriberAsync("""{"type":"hello","role":"subscriber","since":0}""");
        Assert.That((await ReceiveOrdersAsync(subscriber, 2)).Select(order => order.Seq()), Is.EqualTo(new long[] { 1, 2 }));
    }

    private Task<RelayServer> StartAsync(params string[] settings) =>
        RelayServer.StartAsync(["Relay:Store=sqlite", "Relay:Sqlite:Path=" + DatabasePath, .. settings]);

    private static async Task PublishOneAsync(RelayServer relay, int orderId)
    {
        using var response = await relay.Http.PostAsync("/publish", new StringContent(Frames.Order("m-1", orderId)));
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), await response.Content.ReadAsStringAsync());
    }

    private static async Task<List<JsonElement>> ReceiveOrdersAsync(WsClient subscriber, int count)
    {
        var orders = new List<JsonElement>(count);
        while (orders.Count < count)
        {
            orders.Add(await subscriber.ReceiveOfTypeAsync("order"));
        }

        return orders;
    }
}
