using System.Net.WebSockets;
using System.Text;
using OrderRelay.Tests.Support;

namespace OrderRelay.Tests.Connections;

/// <summary>Every protocol error after the handshake: the right code, the id when readable, and the connection kept or closed as the protocol says.</summary>
[CancelAfter(30_000)]
public sealed class FrameErrorTests() : RelayServerTests("Relay:MaxMessageBytes=4096")
{
    [TestCase("""{"type":"publish","id":"ord-1","order":{"a":1""", "bad_json", "ord-1", TestName = "TruncatedJson_BadJsonWithTheIdReadSoFar")]
    [TestCase("""not json at all""", "bad_json", null, TestName = "NotJson_BadJson")]
    [TestCase("""{"type":"publish","id":"ord-1","order":{}} trailing""", "bad_json", "ord-1", TestName = "TrailingGarbage_BadJsonWithId")]
    [TestCase("""[{"type":"publish"}]""", "bad_frame", null, TestName = "ArrayFrame_BadFrame")]
    [TestCase("""42""", "bad_frame", null, TestName = "NumberFrame_BadFrame")]
    [TestCase("""{"id":"ord-1","order":{}}""", "bad_frame", "ord-1", TestName = "NoType_BadFrameWithId")]
    [TestCase("""{"type":7,"id":"ord-1"}""", "bad_frame", "ord-1", TestName = "TypeNotString_BadFrameWithId")]
    [TestCase("""{"type":"publish","id":"ord-1"}""", "bad_frame", "ord-1", TestName = "PublishWithoutOrder_BadFrameWithId")]
    [TestCase("""{"type":"publish","id":"ord-1","order":[1,2]}""", "bad_frame", "ord-1", TestName = "OrderNotObject_BadFrameWithId")]
    [TestCase("""{"type":"publish","id":"ord-1","order":"{}"}""", "bad_frame", "ord-1", TestName = "OrderAsString_BadFrameWithId")]
    [TestCase("""{"type":"publish","id":"ord-1","order":{"merchant_id":1.5}}""", "bad_frame", "ord-1", TestName = "FractionalMerchantId_BadFrameWithId")]
    [TestCase("""{"type":"publish","id":"ord-1","order":{"merchant_id":{"x":1}}}""", "bad_frame", "ord-1", TestName = "ObjectMerchantId_BadFrameWithId")]
    [TestCase("""{"type":"publish","id":5,"order":{}}""", "bad_frame", null, TestName = "NumericId_BadFrame")]
    [TestCase("""{"type":"subscribe","id":"x-1"}""", "unknown_type", "x-1", TestName = "UnknownType_UnknownTypeWithId")]
    public async Task BadFrameFromPublisher_ErrorAndConnectionStaysUsable(string frame, string code, string? id)
    {
        await using var publisher = await Relay.ConnectPublisherAsync();
        await publisher.SendAsync(frame);

        var error = await publisher.ReceiveAsync();
        Assert.That(error.Type(), Is.EqualTo("error"));
        Assert.That(error.Code(), Is.EqualTo(code));
        Assert.That(error.GetProperty("message").GetString(), Is.Not.Empty);
        if (id is null)
        {
            Assert.That(error.TryGetProperty("id", out _), Is.False);
        }
        else
        {
            Assert.That(error.GetProperty("id").GetString(), Is.EqualTo(id));
        }

        await AssertStillPublishesAsync(publisher);
    }

    [Test]
    public async Task RefusedPublish_IsNotDelivered()
    {
        await using var subscriber = await Relay.ConnectSubscriberAsync();
        await using var publisher = await Relay.ConnectPublisherAsync();
        await publisher.SendAsync("""{"type":"publish","id":"bad","order":{"merchant_id":true}}""");
        Assert.That((await publisher.ReceiveAsync()).Code(), Is.EqualTo("bad_frame"));

        await publisher.PublishAsync(Frames.Order("m-1", 2), id: "good");

        var delivery = await subscriber.ReceiveAsync();
        Assert.That(delivery.Seq(), Is.EqualTo(1), "the refused publish took no seq and was not delivered");
        Assert.That(delivery.GetProperty("order").GetProperty("order_id").GetInt32(), Is.EqualTo(2));
    }

    [Test]
    public async Task MessageOverLimit_TooLargeWithIdAndConnectionStaysOpen()
    {
        await using var publisher = await Relay.ConnectPublisherAsync();
        var filler = new string('x', 6000);
        await publisher.SendAsync($$$"""{"type":"publish","id":"ord-big","order":{"note":"{{{filler}}}"}}""");

        var error = await publisher.ReceiveAsync();
        Assert.That(error.Code(), Is.EqualTo("too_large"));
        Assert.That(error.GetProperty("id").GetString(), Is.EqualTo("ord-big"));
        await AssertStillPublishesAsync(publisher);
    }

    [Test]
    public async Task MessageFarOverTransportLimit_TooLargeThenClose1009()
    {
        await using var publisher = await Relay.ConnectPublisherAsync();
        var huge = new byte[4096 * 16 + 1024];
        huge.AsSpan().Fill((byte)' ');
        "{\"type\":\"ping\""u8.CopyTo(huge);

        await publisher.SendAsync(huge, WebSocketMessageType.Text);

        await publisher.ExpectErrorThenCloseAsync("too_large", WebSocketCloseStatus.MessageTooBig);
    }

    [Test]
    public async Task BinaryFrameAfterHello_BadFrameThenClose1003()
    {
        await using var publisher = await Relay.ConnectPublisherAsync();
        await publisher.SendAsync(Encoding.UTF8.GetBytes("""{"type":"ping"}"""), WebSocketMessageType.Binary);

        await publisher.ExpectErrorThenCloseAsync("bad_frame", WebSocketCloseStatus.InvalidMessageType);
    }

    [Test]
    public async Task BinaryFrameAfterPublishes_AcksStillArriveBeforeTheClose()
    {
        await using var publisher = await Relay.ConnectPublisherAsync();
        for (var i = 0; i < 20; i++)
        {
            await publisher.SendPublishAsync(Frames.Order("m-1", i), id: $"ord-{i}");
        }

        await publisher.SendAsync([1, 2, 3], WebSocketMessageType.Binary);

        for (var i = 0; i < 20; i++)
        {
            Assert.That((await publisher.ReceiveAsync()).GetProperty("id").GetString(), Is.EqualTo($"ord-{i}"));
        }

        await publisher.ExpectErrorThenCloseAsync("bad_frame", WebSocketCloseStatus.InvalidMessageType);
    }

    [Test]
    public async Task SubscriberPublishing_NotAllowedAndStaysConnected()
    {
        await using var subscriber = await Relay.ConnectSubscriberAsync();
        await using var publisher = await Relay.ConnectPublisherAsync();
        await subscriber.SendAsync($$"""{"type":"publish","id":"ord-sneaky","order":{{Frames.Order("m-1", 1)}}}""");

        var error = await subscriber.ReceiveAsync();
        Assert.That(error.Code(), Is.EqualTo("not_allowed"));
        Assert.That(error.GetProperty("id").GetString(), Is.EqualTo("ord-sneaky"));

        await publisher.PublishAsync(Frames.Order("m-1", 2));
        var delivery = await subscriber.ReceiveAsync();
        Assert.That(delivery.GetProperty("order").GetProperty("order_id").GetInt32(), Is.EqualTo(2), "the subscriber's publish was not delivered");
    }

    [Test]
    public async Task PublisherAck_NotAllowed()
    {
        await using var publisher = await Relay.ConnectPublisherAsync();
        await publisher.SendAsync("""{"type":"ack","seq":1}""");

        Assert.That((await publisher.ReceiveAsync()).Code(), Is.EqualTo("not_allowed"));
    }

    [Test]
    public async Task ApplicationPing_AnsweredWithPongByBothRoles()
    {
        await using var subscriber = await Relay.ConnectSubscriberAsync();
        await using var publisher = await Relay.ConnectPublisherAsync();

        await subscriber.SendAsync("""{"type":"ping"}""");
        await publisher.SendAsync("""{"type":"ping"}""");

        Assert.That((await subscriber.ReceiveAsync()).Type(), Is.EqualTo("pong"));
        Assert.That((await publisher.ReceiveAsync()).Type(), Is.EqualTo("pong"));
    }

    [Test]
    public async Task PeerClose_AnsweredWithNormalClosure()
    {
        var publisher = await Relay.ConnectPublisherAsync();
        using var timeout = new CancellationTokenSource(WsClient.DefaultWait);

        await publisher.Socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "bye", timeout.Token);

        Assert.That(publisher.Socket.CloseStatus, Is.EqualTo(WebSocketCloseStatus.NormalClosure));
        await publisher.DisposeAsync();
    }

    private static async Task AssertStillPublishesAsync(WsClient publisher)
    {
        var ack = await publisher.PublishAsync(Frames.Order("m-1", 99), id: "after-error");
        Assert.That(ack.Type(), Is.EqualTo("ack"), "the connection must stay usable after a refused frame");
        Assert.That(ack.GetProperty("id").GetString(), Is.EqualTo("after-error"));
    }
}
