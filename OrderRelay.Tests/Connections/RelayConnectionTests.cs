using System.Net.WebSockets;
using OrderRelay.Core;
using OrderRelay.Security;
using OrderRelay.Tests.Security;
using OrderRelay.Tests.Support;

namespace OrderRelay.Tests.Connections;

/// <summary>
/// A relay connection without sockets or Kestrel: an in-memory WebSocket pair and a fake clock,
/// so the timeouts are tested at the exact moment they are due.
/// </summary>
[CancelAfter(30_000)]
public sealed class RelayConnectionTests
{
    [Test]
    public async Task Subscriber_IsWelcomed_AndGetsTheOrdersOfItsMerchant()
    {
        await using var relay = await InMemoryRelay.StartAsync();
        var (client, _) = relay.Connect();
        await using var _client = client;
        var welcome = await client.HelloAsync("""{"type":"hello","role":"subscriber","merchants":["m-1"]}""");

        await relay.Relay.SubmitAsync(new PublishRequest("o-2", "m-2", """{"merchant_id":"m-2"}"""u8.ToArray()), CancellationToken.None);
        await relay.Relay.SubmitAsync(new PublishRequest("o-1", "m-1", """{"merchant_id":"m-1"}"""u8.ToArray()), CancellationToken.None);

        var order = await client.ReceiveAsync();
        Assert.That(welcome.GetProperty("role").GetString(), Is.EqualTo("subscriber"));
        Assert.That(order.GetProperty("type").GetString(), Is.EqualTo("order"));
        Assert.That(order.GetProperty("seq").GetInt64(), Is.EqualTo(2), "seq 1 went to m-2, which this page did not ask for");
        Assert.That(order.GetProperty("order").GetRawText(), Is.EqualTo("""{"merchant_id":"m-1"}"""));
    }

    [Test]
    public async Task NoHello_IsRefusedWithHandshakeTimeout_WhenTheTimeoutIsDueAndNotBefore()
    {
        await using var relay = await InMemoryRelay.StartAsync("Relay:HandshakeTimeout=00:00:05");
        var (client, connection) = relay.Connect();
        await using var _client = client;
        await relay.Time.NextTimerAsync();

        var next = client.ReceiveAsync();

        relay.Time.Advance(TimeSpan.FromSeconds(5) - TimeSpan.FromMilliseconds(1));
        Assert.That(next.IsCompleted, Is.False, "nothing is sent before the timeout is due");
        relay.Time.Advance(TimeSpan.FromMilliseconds(1));

        var error = await next;
        Assert.That(error.GetProperty("code").GetString(), Is.EqualTo("handshake_timeout"), error.ToString());
        Assert.That(await client.ReceiveCloseAsync(), Is.EqualTo(WebSocketCloseStatus.PolicyViolation));
        await client.Socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, CancellationToken.None);
        await connection.Completion.WaitAsync(WsClient.DefaultWait);
    }

    [Test]
    public async Task PeerThatNeverAnswersTheClose_IsAbortedWhenTheCloseTimeoutRunsOut()
    {
        await using var relay = await InMemoryRelay.StartAsync("Relay:HandshakeTimeout=00:00:05", "Relay:CloseTimeout=00:00:02");
        var (client, connection) = relay.Connect();
        await using var _client = client;
        await relay.Time.NextTimerAsync();
        relay.Time.Advance(TimeSpan.FromSeconds(5));
        // The relay's close is started: its abort timer is set for twice CloseTimeout (queued frames first).
        await relay.Time.NextTimerAsync();
        var error = await client.ReceiveOfTypeAsync("error");

        relay.Time.Advance(TimeSpan.FromSeconds(4) - TimeSpan.FromMilliseconds(1));
        Assert.That(connection.Completion.IsCompleted, Is.False, "the peer still has time to answer the close");

        relay.Time.Advance(TimeSpan.FromMilliseconds(1));

        await connection.Completion.WaitAsync(WsClient.DefaultWait);
        Assert.That(error.GetProperty("code").GetString(), Is.EqualTo("handshake_timeout"));
        Assert.That(relay.Services.Registry.Count, Is.Zero);
    }

    [Test]
    public async Task SubscriberThatStopsReading_IsToldSlowConsumerAfterWhatFitted_AndClosedWith1013()
    {
        await using var relay = await InMemoryRelay.StartAsync("Relay:SubscriberQueueLimit=4");
        var (client, _) = relay.Connect();
        await using var _client = client;
        await client.HelloAsync("""{"type":"hello","role":"subscriber"}""");
        var padding = new string('x', 16 * 1024);

        // The client reads nothing meanwhile: its pipe fills (64 KiB), then the relay's queue of 4.
        for (var i = 1; i <= 20; i++)
        {
            var request = new PublishRequest($"o-{i}", "m-1", System.Text.Encoding.UTF8.GetBytes($$"""{"n":{{i}},"pad":"{{padding}}"}"""));
            await relay.Relay.SubmitAsync(request, CancellationToken.None);
            await request.Task.WaitAsync(WsClient.DefaultWait);
        }

        var seqs = new List<long>();
        while (true)
        {
            var frame = await client.ReceiveAsync();
            if (frame.GetProperty("type").GetString() == "error")
            {
                Assert.That(frame.GetProperty("code").GetString(), Is.EqualTo("slow_consumer"));
                break;
            }

            seqs.Add(frame.GetProperty("seq").GetInt64());
        }

        Assert.That(await client.ReceiveCloseAsync(), Is.EqualTo((WebSocketCloseStatus)1013));
        Assert.That(seqs, Is.Not.Empty.And.Count.LessThan(20));
        Assert.That(seqs, Is.EqualTo(Enumerable.Range(1, seqs.Count).Select(seq => (long)seq)), "what was sent came in order, with no gap");
    }

    [Test]
    public async Task SubscriberWhoseTokenExpires_IsClosedWithAuthFailed_WhenTheTokenExpiresAndNotBefore()
    {
        await using var relay = await InMemoryRelay.StartAsync($"Relay:Auth:SubscriberSecret={SecuredRelay.Secret}");
        // JWT "exp" is in whole seconds; the relay's clock is set one hour before it.
        var expires = DateTimeOffset.FromUnixTimeSeconds(DateTimeOffset.UtcNow.ToUnixTimeSeconds() + 3600);
        relay.Time.SetUtcNow(expires - TimeSpan.FromHours(1));
        var (client, connection) = relay.Connect();
        await using var _client = client;
        await relay.Time.NextTimerAsync();
        await client.HelloAsync(SecuredRelay.Hello(SubscriberTokens.Mint(SecuredRelay.Secret, ["m-1"], expires)));
        await relay.Time.NextTimerAsync();

        var next = client.ReceiveAsync();
        relay.Time.Advance(TimeSpan.FromHours(1) - TimeSpan.FromMilliseconds(1));
        Assert.That(next.IsCompleted, Is.False, "the token still works");
        relay.Time.Advance(TimeSpan.FromMilliseconds(1));

        var error = await next;
        Assert.That(error.GetProperty("code").GetString(), Is.EqualTo("auth_failed"), error.ToString());
        Assert.That(error.GetProperty("message").GetString(), Does.Contain("expired"));
        Assert.That(await client.ReceiveCloseAsync(), Is.EqualTo(WebSocketCloseStatus.PolicyViolation));
        await client.Socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, CancellationToken.None);
        await connection.Completion.WaitAsync(WsClient.DefaultWait);
    }

    [Test]
    public async Task EachRole_HandlesItsOwnFrames_AndRefusesTheOthersWithNotAllowed()
    {
        await using var relay = await InMemoryRelay.StartAsync();
        var (publisher, _) = relay.Connect();
        var (page, _) = relay.Connect();
        await using var _publisher = publisher;
        await using var _page = page;
        await publisher.HelloAsync("""{"type":"hello","role":"publisher"}""");
        await page.HelloAsync("""{"type":"hello","role":"subscriber"}""");

        var ack = await publisher.PublishAsync("""{"merchant_id":"m-1"}""", "o-1");
        var order = await page.ReceiveOfTypeAsync("order");
        await publisher.SendAsync("""{"type":"ack","seq":1}""");
        var publisherAck = await publisher.ReceiveAsync();
        await page.SendAsync("""{"type":"publish","id":"o-2","order":{"merchant_id":"m-1"}}""");
        var pagePublish = await page.ReceiveAsync();
        await page.SendAsync("""{"type":"ping"}""");
        var pong = await page.ReceiveAsync();

        Assert.That(ack.GetProperty("type").GetString(), Is.EqualTo("ack"), ack.ToString());
        Assert.That(order.GetProperty("seq").GetInt64(), Is.EqualTo(1));
        Assert.That(publisherAck.GetProperty("code").GetString(), Is.EqualTo("not_allowed"), publisherAck.ToString());
        Assert.That(pagePublish.GetProperty("code").GetString(), Is.EqualTo("not_allowed"), pagePublish.ToString());
        Assert.That(pong.GetProperty("type").GetString(), Is.EqualTo("pong"), pong.ToString());
    }
}
