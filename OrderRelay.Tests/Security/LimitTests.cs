using System.Net;
using System.Net.WebSockets;
using OrderRelay.Configuration;
using OrderRelay.Tests.Support;

namespace OrderRelay.Tests.Security;

[CancelAfter(60_000)]
public sealed class LimitTests
{
    [Test]
    public async Task PublishRate_ReachedThenRecovered()
    {
        await using var relay = await RelayServer.StartAsync("Relay:Limits:PublishRatePerSecond=20", "Relay:Limits:PublishBurst=5");
        await using var publisher = await relay.ConnectPublisherAsync();
        for (var i = 0; i < 5; i++)
        {
            await publisher.SendPublishAsync(Frames.Order("m-1", i), id: $"burst-{i}");
        }

        await publisher.SendPublishAsync(Frames.Order("m-1", 5), id: "over");
        var answers = new List<System.Text.Json.JsonElement>();
        for (var i = 0; i < 6; i++)
        {
            answers.Add(await publisher.ReceiveAsync());
        }

        Assert.That(answers.Take(5).Select(a => a.Type()), Is.All.EqualTo("ack"));
        Assert.That(answers[5].Code(), Is.EqualTo("rate_limited"));
        Assert.That(answers[5].GetProperty("id").GetString(), Is.EqualTo("over"));

        // The bucket refills every 100 ms on the limiter's own timer: the same publish is accepted once it has.
        var retried = await Eventually.UntilAsync(() => publisher.PublishAsync(Frames.Order("m-1", 5), id: "over"), retry =>
        {
            if (retry.Type() == "ack")
            {
                return true;
            }

            Assert.That(retry.Code(), Is.EqualTo("rate_limited"));
            return false;
        }, "the bucket to refill");
        Assert.That(retried.Seq(), Is.EqualTo(6));
    }

    [Test]
    public async Task HttpPublishRate_429ThenRecovered()
    {
        await using var relay = await RelayServer.StartAsync("Relay:Limits:PublishRatePerSecond=10", "Relay:Limits:PublishBurst=2");
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 3; i++)
        {
            using var response = await relay.Http.PostAsync("/publish", new StringContent("""{"order_id":1}"""));
            statuses.Add(response.StatusCode);
        }

        Assert.That(statuses, Is.EqualTo(new[] { HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.TooManyRequests }));
        await Eventually.UntilAsync(async () =>
        {
            using var response = await relay.Http.PostAsync("/publish", new StringContent("""{"order_id":1}"""));
            return response.StatusCode;
        }, status =>
        {
            Assert.That(status, Is.EqualTo(HttpStatusCode.OK).Or.EqualTo(HttpStatusCode.TooManyRequests));
            return status == HttpStatusCode.OK;
        }, "the bucket to refill");
    }

    [Test]
    public async Task ConnectionsPerAddress_RefusedPastTheLimitAndFreedOnClose()
    {
        await using var relay = await RelayServer.StartAsync("Relay:Limits:MaxConnectionsPerAddress=2");
        var first = await relay.ConnectPublisherAsync();
        await using var second = await relay.ConnectPublisherAsync();

        var refused = Assert.ThrowsAsync<WebSocketException>(() => relay.ConnectAsync());
        Assert.That(refused!.Message, Does.Contain("503"));

        var connection = relay.Connections.Find(first.Welcome.GetProperty("connection_id").GetString()!)!;
        await first.DisposeAsync();
        await connection.Completion.WaitAsync(WsClient.DefaultWait);
        await using var third = await relay.ConnectPublisherAsync();
        Assert.That(third.Welcome.Type(), Is.EqualTo("welcome"));
    }

    [Test]
    public async Task TotalConnections_RefusedPastTheLimit()
    {
        await using var relay = await RelayServer.StartAsync("Relay:Limits:MaxConnections=1");
        await using var only = await relay.ConnectPublisherAsync();

        Assert.ThrowsAsync<WebSocketException>(() => relay.ConnectAsync());
    }

    [Test]
    public async Task SubscribersPerToken_RefusedPastTheLimit()
    {
        await using var relay = await RelayServer.StartAsync([.. SecuredRelay.Settings, "Relay:Limits:MaxSubscribersPerToken=2"]);
        var token = SecuredRelay.Token("m-1");
        await using var one = await relay.ConnectSubscriberAsync(SecuredRelay.Hello(token));
        await using var two = await relay.ConnectSubscriberAsync(SecuredRelay.Hello(token));
        await using var three = await relay.ConnectAsync();

        await three.SendAsync(SecuredRelay.Hello(token));

        await three.ExpectErrorThenCloseAsync("auth_failed", WebSocketCloseStatus.PolicyViolation);
        await using var otherToken = await relay.ConnectSubscriberAsync(SecuredRelay.Hello(SecuredRelay.Token("m-1", "m-2")));
    }

    [Test]
    public async Task OriginNotAllowed_403AtUpgrade_AllowedOriginConnects()
    {
        await using var relay = await RelayServer.StartAsync("Relay:AllowedOrigins:0=https://shop.example");

        var refused = Assert.ThrowsAsync<WebSocketException>(() =>
            WsClient.ConnectAsync(relay.WebSocketUri, options => options.SetRequestHeader("Origin", "https://evil.example")));
        Assert.That(refused!.Message, Does.Contain("403"));
        await using var allowed = await WsClient.ConnectAsync(relay.WebSocketUri, options => options.SetRequestHeader("Origin", "https://shop.example"));
        await allowed.HelloAsync("""{"type":"hello","role":"subscriber"}""");
        // A backend sends no Origin at all: an origin list cannot apply to it.
        await using var backend = await WsClient.ConnectAsync(relay.WebSocketUri);
        await backend.HelloAsync("""{"type":"hello","role":"publisher"}""");
    }

    [TestCase("Relay:Auth:SubscriberSecret=too-short", "Relay:Auth:SubscriberSecret")]
    [TestCase("Relay:Bind=0.0.0.0", "Relay:AllowInsecure")]
    [TestCase("Relay:Limits:MaxConnections=0", "Relay:Limits:MaxConnections")]
    [TestCase("Relay:Tls:CertificatePath=/nonexistent/cert.pfx", "Relay:Tls:CertificatePath")]
    public void UnsafeOrBadSecuritySetting_StartupRefusedNamingIt(string setting, string named)
    {
        var refusal = Assert.ThrowsAsync<RelayStartupException>(() => RelayServer.StartAsync(setting));

        Assert.That(refusal!.Message, Does.Contain(named));
        Assert.That(refusal.Message, Does.Not.Contain("too-short"), "secrets are never echoed");
    }

    [Test]
    public async Task OpenModeOnAllAddressesWithAllowInsecure_Starts()
    {
        await using var relay = await RelayServer.StartAsync("Relay:Bind=0.0.0.0", "Relay:AllowInsecure=true");

        using var health = await relay.Http.GetAsync("/healthz");
        Assert.That(health.StatusCode, Is.EqualTo(HttpStatusCode.OK));
    }
}
