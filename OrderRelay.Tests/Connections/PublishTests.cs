using System.Text.Json;
using OrderRelay.Tests.Support;

namespace OrderRelay.Tests.Connections;

[CancelAfter(30_000)]
public sealed class PublishTests : RelayServerTests
{
    [Test]
    public async Task PipelinedPublishes_AckedInOrderWithTheirIdsAndRisingSeqs()
    {
        await using var publisher = await Relay.ConnectPublisherAsync();
        for (var i = 1; i <= 200; i++)
        {
            await publisher.SendPublishAsync(Frames.Order("m-1", i), id: $"ord-{i}");
        }

        for (var i = 1; i <= 200; i++)
        {
            var ack = await publisher.ReceiveAsync();
            Assert.That(ack.Type(), Is.EqualTo("ack"));
            Assert.That(ack.GetProperty("id").GetString(), Is.EqualTo($"ord-{i}"));
            Assert.That(ack.Seq(), Is.EqualTo(i));
            Assert.That(ack.TryGetProperty("duplicate", out _), Is.False, "a first publish is not marked duplicate");
        }
    }

    [Test]
    public async Task PublishWithoutId_AckLeavesIdOut()
    {
        await using var publisher = await Relay.ConnectPublisherAsync();

        var ack = await publisher.PublishAsync(Frames.Order("m-1", 1));

        Assert.That(ack.Type(), Is.EqualTo("ack"));
        Assert.That(ack.TryGetProperty("id", out _), Is.False);
    }

    [Test]
    public async Task Delivery_ForwardsOrderBytesVerbatim()
    {
        const string order = """{ "order_amount" : 100.00, "merchant_id":"m-1001","customer_name":"张三 \u00e9 😀","nested":{"z":1,"a":[1.50,2e3]}}""";
        await using var subscriber = await Relay.ConnectSubscriberAsync();
        await using var publisher = await Relay.ConnectPublisherAsync();

        await publisher.PublishAsync(order, id: "ord-1");
        var delivery = await subscriber.ReceiveTextAsync();

        Assert.That(delivery, Does.EndWith("\"order\":" + order + "}"));
        using var parsed = JsonDocument.Parse(delivery);
        var root = parsed.RootElement;
        Assert.That(root.Type(), Is.EqualTo("order"));
        Assert.That(root.Seq(), Is.EqualTo(1));
        Assert.That(root.GetProperty("merchant_id").GetString(), Is.EqualTo("m-1001"));
        Assert.That(root.GetProperty("ts").GetString(), Does.Match(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$"));
    }

    [Test]
    public async Task Routing_EachSubscriberGetsOnlyItsMerchantsAndUnfilteredGetsAll()
    {
        await using var m1 = await Relay.ConnectSubscriberAsync("""{"type":"hello","role":"subscriber","merchants":["m-1"]}""");
        await using var m2AndInteger = await Relay.ConnectSubscriberAsync("""{"type":"hello","role":"subscriber","merchants":["m-2",1001]}""");
        await using var everything = await Relay.ConnectSubscriberAsync();
        await using var publisher = await Relay.ConnectPublisherAsync();

        await publisher.PublishAsync(Frames.Order("m-1", 1));
        await publisher.PublishAsync("""{"order_id":2,"merchant_id":1001}""");
        await publisher.PublishAsync("""{"order_id":3}""");
        await publisher.PublishAsync(Frames.Order("m-2", 4));
        await publisher.PublishAsync("""{"order_id":5,"merchant_id":"1001"}""");
        await publisher.PublishAsync(Frames.Order("m-1", 6));

        Assert.That(await OrderIdsAsync(m1, 2), Is.EqualTo(new[] { 1, 6 }));
        Assert.That(await OrderIdsAsync(m2AndInteger, 3), Is.EqualTo(new[] { 2, 4, 5 }));
        Assert.That(await OrderIdsAsync(everything, 6), Is.EqualTo(new[] { 1, 2, 3, 4, 5, 6 }));
        // Nothing else is queued for m1: a ping's pong comes next, not another order.
        await m1.SendAsync("""{"type":"ping"}""");
        Assert.That((await m1.ReceiveAsync()).Type(), Is.EqualTo("pong"));
    }

    [Test]
    public async Task OrderWithoutMerchant_DeliveredWithNullMerchantId()
    {
        await using var everything = await Relay.ConnectSubscriberAsync();
        await using var publisher = await Relay.ConnectPublisherAsync();

        await publisher.PublishAsync("""{"order_id":3}""");
        var delivery = await everything.ReceiveAsync();

        Assert.That(delivery.GetProperty("merchant_id").ValueKind, Is.EqualTo(JsonValueKind.Null));
    }

    [Test]
    public async Task DuplicateId_AckedWithOriginalSeqAndNeverDeliveredTwice()
    {
        await using var subscriber = await Relay.ConnectSubscriberAsync();
        await using var publisher = await Relay.ConnectPublisherAsync();

        var first = await publisher.PublishAsync(Frames.Order("m-1", 1), id: "ord-1");
        await publisher.PublishAsync(Frames.Order("m-1", 2), id: "ord-2");
        var again = await publisher.PublishAsync(Frames.Order("m-1", 1), id: "ord-1");
        await publisher.PublishAsync(Frames.Order("m-1", 3), id: "ord-3");

        Assert.That(again.Seq(), Is.EqualTo(first.Seq()));
        Assert.That(again.GetProperty("duplicate").GetBoolean(), Is.True);
        Assert.That(again.GetProperty("id").GetString(), Is.EqualTo("ord-1"));
        Assert.That(await OrderIdsAsync(subscriber, 3), Is.EqualTo(new[] { 1, 2, 3 }));
    }

    [Test]
    public async Task IdempotencyKeyOverHttpAndIdOverWebSocket_ShareOneNamespace()
    {
        await using var publisher = await Relay.ConnectPublisherAsync();
        var ack = await publisher.PublishAsync(Frames.Order("m-1", 1), id: "ord-shared");

        using var request = new HttpRequestMessage(HttpMethod.Post, "/publish") { Content = new StringContent(Frames.Order("m-1", 1)) };
        request.Headers.Add("Idempotency-Key", "ord-shared");
        using var response = await Relay.Http.SendAsync(request);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());

        Assert.That(body.RootElement.Seq(), Is.EqualTo(ack.Seq()));
        Assert.That(body.RootElement.GetProperty("duplicate").GetBoolean(), Is.True);
    }

    [Test]
    public async Task ConfiguredMerchantField_RoutesByThatField()
    {
        await using var relay = await RelayServer.StartAsync("Relay:MerchantField=shop");
        await using var shop7 = await relay.ConnectSubscriberAsync("""{"type":"hello","role":"subscriber","merchants":["7"]}""");
        await using var publisher = await relay.ConnectPublisherAsync();

        await publisher.PublishAsync("""{"order_id":1,"merchant_id":"m-1","shop":8}""");
        await publisher.PublishAsync("""{"order_id":2,"merchant_id":"m-1","shop":7}""");

        var delivery = await shop7.ReceiveAsync();
        Assert.That(delivery.GetProperty("order").GetProperty("order_id").GetInt32(), Is.EqualTo(2));
        Assert.That(delivery.GetProperty("merchant_id").GetString(), Is.EqualTo("7"));
    }

    [Test]
    public async Task ManyPublishersAtOnce_EverySubscriberSeesOneGapFreeSequence()
    {
        const int publishers = 4;
        const int perPublisher = 250;
        await using var subscriber = await Relay.ConnectSubscriberAsync();
        var clients = await Task.WhenAll(Enumerable.Range(0, publishers).Select(_ => Relay.ConnectPublisherAsync()));
        try
        {
            await Task.WhenAll(clients.Select(async (client, p) =>
            {
                for (var i = 0; i < perPublisher; i++)
                {
                    await client.SendPublishAsync(Frames.Order($"m-{p}", i), id: $"p{p}-{i}");
                }

                for (var i = 0; i < perPublisher; i++)
                {
                    Assert.That((await client.ReceiveAsync()).Type(), Is.EqualTo("ack"));
                }
            }));

            var seqs = new List<long>();
            for (var i = 0; i < publishers * perPublisher; i++)
            {
                seqs.Add((await subscriber.ReceiveAsync()).Seq());
            }

            Assert.That(seqs, Is.EqualTo(Enumerable.Range(1, publishers * perPublisher).Select(s => (long)s)));
        }
        finally
        {
            foreach (var client in clients)
            {
                await client.DisposeAsync();
            }
        }
    }

    private static async Task<int[]> OrderIdsAsync(WsClient subscriber, int count)
    {
        var ids = new int[count];
        for (var i = 0; i < count; i++)
        {
            var delivery = await subscriber.ReceiveAsync();
            Assert.That(delivery.Type(), Is.EqualTo("order"), delivery.ToString());
            ids[i] = delivery.GetProperty("order").GetProperty("order_id").GetInt32();
        }

        return ids;
    }
}
