using System.Net.WebSockets;
using OrderRelay.Configuration;
using OrderRelay.Diagnostics;
using OrderRelay.Hosting;
using OrderRelay.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace OrderRelay.Tests.Compat;

/// <summary>Relay:Compat:SeedPath with the seed's programs: a PHP backend that sends bare orders, silent clients that receive them.</summary>
[CancelAfter(60_000)]
public sealed class SeedCompatibilityTests
{
    /// <summary>A short window to publish in, so a silent client is counted as a subscriber soon.</summary>
    private const string Window = "Relay:HandshakeTimeout=00:00:01";

    private const string Order = """{"order_id":123456,"merchant_id":"m-1001","customer_name":"张三","order_amount":100.00}""";

    /// <summary>Order status's <c>delivered</c> counts every page the order was written to, a seed page as much as a v1 one.</summary>
    [Test]
    public async Task SeedBackendOrder_SeedSubscriberGetsItsBareBytes_V1SubscriberGetsAnOrderFrame_OrderStatusCountsBoth()
    {
        await using var relay = await RelayServer.StartAsync("Relay:Compat:SeedPath=/seed", Window);
        await using var v1 = await relay.ConnectSubscriberAsync("""{"type":"hello","role":"subscriber","merchants":["m-1001"]}""");
        await using var seedPage = await WsClient.ConnectAsync(SeedUri(relay));
        await WaitUntilLiveAsync(relay, subscribers: 2);

        var run = await SeedBackend.PushAsync(SeedUri(relay), Order);

        Assert.That(SeedBackend.CloseLine(run), Is.EqualTo("close 1000 "));
        Assert.That(await seedPage.ReceiveTextAsync(), Is.EqualTo(Order), "the order itself, byte for byte");
        var delivered = await v1.ReceiveAsync();
        Assert.That(delivered.GetProperty("type").GetString(), Is.EqualTo("order"));
        Assert.That(delivered.GetProperty("seq").GetInt64(), Is.EqualTo(1));
        // Counted just after each write completes, so possibly just after the page has read it.
        await Eventually.UntilAsync(() => Task.FromResult(relay.Relay.FindDeliveries(1)), count => count == 2, "two deliveries of seq 1");
    }

    [Test]
    public async Task ManyOrdersOnOneConnection_AllPublishedInTheirOrder()
    {
        await using var relay = await RelayServer.StartAsync("Relay:Compat:SeedPath=/seed", Window);
        await using var seedPage = await WsClient.ConnectAsync(SeedUri(relay));
        await WaitUntilLiveAsync(relay, subscribers: 1);
        string[] orders = [.. Enumerable.Range(1, 5).Select(id => $$"""{"order_id":{{id}},"merchant_id":"m-{{id % 2}}"}""")];

        var run = await SeedBackend.PushAsync(SeedUri(relay), orders);

        Assert.That(SeedBackend.CloseLine(run), Is.EqualTo("close 1000 "));
        foreach (var order in orders)
        {
            Assert.That(await seedPage.ReceiveTextAsync(), Is.EqualTo(order));
        }

        Assert.That(relay.Relay.LastSeq, Is.EqualTo(5));
    }

    [Test]
    public async Task OrderWithoutMerchant_ReachesSeedSubscribersButNotMerchantFilteredOnes()
    {
        await using var relay = await RelayServer.StartAsync("Relay:Compat:SeedPath=/seed", Window);
        await using var filtered = await relay.ConnectSubscriberAsync("""{"type":"hello","role":"subscriber","merchants":["m-1001"]}""");
        await using var seedPage = await WsClient.ConnectAsync(SeedUri(relay));
        await WaitUntilLiveAsync(relay, subscribers: 2);

        await SeedBackend.PushAsync(SeedUri(relay), """{"order_id":7}""", Order);

        Assert.That(await seedPage.ReceiveTextAsync(), Is.EqualTo("""{"order_id":7}"""));
        Assert.That(await seedPage.ReceiveTextAsync(), Is.EqualTo(Order));
        Assert.That((await filtered.ReceiveAsync()).GetProperty("seq").GetInt64(), Is.EqualTo(2), "the filtered subscriber's first order is the second");
    }

    [Test]
    public async Task SubscriberConnectingLate_GetsNoReplayOnlyWhatFollows()
    {
        await using var relay = await RelayServer.StartAsync("Relay:Compat:SeedPath=/seed", Window);
        await SeedBackend.PushAsync(SeedUri(relay), """{"order_id":1}""");
        await using var seedPage = await WsClient.ConnectAsync(SeedUri(relay));
        await WaitUntilLiveAsync(relay, subscribers: 1);

        await SeedBackend.PushAsync(SeedUri(relay), """{"order_id":2}""");

        Assert.That(await seedPage.ReceiveTextAsync(), Is.EqualTo("""{"order_id":2}"""));
    }

    [Test]
    public async Task KeysConfigured_OrderWithTheKeyInTheQueryPublished_WithoutItRefusedAndNotPublished_WrongKeyNotUpgraded()
    {
        const string key = "pk-seed-0123456789abcdef";
        await using var relay = await RelayServer.StartAsync("Relay:Compat:SeedPath=/seed", $"Relay:Auth:PublisherKeys:0={key}");

        var withoutKey = await SeedBackend.PushAsync(SeedUri(relay), """{"order_id":1}""");
        var wrongKey = await SeedBackend.PushAsync(SeedUri(relay, "?key=pk-wrong-0123456789abcdef"), """{"order_id":2}""");
        Assert.That(relay.Relay.LastSeq, Is.Zero, "neither was published");
        var withKey = await SeedBackend.PushAsync(SeedUri(relay, "?key=" + key), """{"order_id":3}""");

        Assert.That(SeedBackend.CloseLine(withoutKey), Does.StartWith("close 1008 auth_failed"));
        Assert.That(SeedBackend.CloseLine(wrongKey), Is.EqualTo("refused HTTP/1.1 401 Unauthorized"));
        Assert.That(SeedBackend.CloseLine(withKey), Is.EqualTo("close 1000 "));
        Assert.That(relay.Relay.LastSeq, Is.EqualTo(1));
    }

    [Test]
    public async Task VersionOneHelloOnTheSeedPath_ClosedWithTheReasonAndNotPublished()
    {
        await using var relay = await RelayServer.StartAsync("Relay:Compat:SeedPath=/seed", Window);
        await using var client = await WsClient.ConnectAsync(SeedUri(relay));

        await client.SendAsync("""{"type":"hello","role":"subscriber"}""");

        Assert.That(await client.ReceiveCloseAsync(), Is.EqualTo(WebSocketCloseStatus.PolicyViolation));
        Assert.That(client.Socket.CloseStatusDescription, Does.StartWith("handshake_required"));
        Assert.That(relay.Relay.LastSeq, Is.Zero);
    }

    [Test]
    public async Task SilentClientThatSpeaksAfterTheWindow_ClosedAsASubscriberThatOnlyListens()
    {
        await using var relay = await RelayServer.StartAsync("Relay:Compat:SeedPath=/seed", "Relay:HandshakeTimeout=00:00:00.300");
        await using var client = await WsClient.ConnectAsync(SeedUri(relay));
        // The window has passed once the relay counts it as a subscriber.
        await WaitUntilLiveAsync(relay, subscribers: 1);

        await client.SendAsync("""{"order_id":1}""");

        Assert.That(await client.ReceiveCloseAsync(), Is.EqualTo(WebSocketCloseStatus.PolicyViolation));
        Assert.That(client.Socket.CloseStatusDescription, Does.StartWith("not_allowed"));
        Assert.That(relay.Relay.LastSeq, Is.Zero);
    }

    [Test]
    public async Task RelayStopping_SeedSubscriberClosedWith1001()
    {
        var relay = await RelayServer.StartAsync("Relay:Compat:SeedPath=/seed", Window);
        await using var client = await WsClient.ConnectAsync(SeedUri(relay));
        await WaitUntilLiveAsync(relay, subscribers: 1);

        var stopping = relay.DisposeAsync();

        Assert.That(await client.ReceiveCloseAsync(), Is.EqualTo(WebSocketCloseStatus.EndpointUnavailable));
        await stopping;
    }

    [Test]
    [CancelAfter(90_000)]
    public async Task SeedSubscriberThatStopsReading_Closed1013SlowConsumer()
    {
        var filler = new string('x', 50_000);
        await using var relay = await RelayServer.StartAsync("Relay:Compat:SeedPath=/seed", Window, "Relay:SubscriberQueueLimit=16", "Relay:CloseTimeout=00:00:20");
        await using var stalled = await WsClient.ConnectAsync(SeedUri(relay));
        await WaitUntilLiveAsync(relay, subscribers: 1);
        await using var publisher = await relay.ConnectPublisherAsync();

        for (var order = 1; order <= 600; order++)
        {
            var ack = await publisher.PublishAsync($$"""{"order_id":{{order}},"note":"{{filler}}"}""");
            Assert.That(ack.GetProperty("type").GetString(), Is.EqualTo("ack"), "the publisher carries on regardless");
        }

        // Now read what the stalled client was sent: some bare orders, then the close.
        var received = 0;
        var buffer = new byte[64 * 1024];
        using var timeout = new CancellationTokenSource(WsClient.DefaultWait);
        while ((await stalled.Socket.ReceiveAsync(buffer, timeout.Token)) is { MessageType: not WebSocketMessageType.Close } result)
        {
            received += result.EndOfMessage ? 1 : 0;
        }

        Assert.That(stalled.Socket.CloseStatus, Is.EqualTo((WebSocketCloseStatus)1013));
        Assert.That(stalled.Socket.CloseStatusDescription, Does.StartWith("slow_consumer"));
        Assert.That(received, Is.LessThan(600));
    }

    [Test]
    public async Task KeyInTheQuery_NeverReachesTheLog()
    {
        const string key = "pk-seed-never-logged-0123456789";
        var directory = Directory.CreateTempSubdirectory("orderrelay-seed-log-");
        var logFile = Path.Combine(directory.FullName, "relay.log");
        await using (var relay = await RelayServer.StartAsync("Relay:Compat:SeedPath=/seed", $"Relay:Auth:PublisherKeys:0={key}",
                         $"Relay:LogFile={logFile}", "Serilog:MinimumLevel:Default=Verbose", "Serilog:MinimumLevel:Override:Microsoft.AspNetCore=Verbose"))
        {
            await SeedBackend.PushAsync(SeedUri(relay, "?key=" + key), """{"order_id":1}""");
            await SeedBackend.PushAsync(SeedUri(relay, "?key=pk-wrong-but-secret-looking"), """{"order_id":2}""");
        }

        var log = string.Concat(directory.GetFiles().Select(file => File.ReadAllText(file.FullName)));
        directory.Delete(recursive: true);
        Assert.That(log, Does.Contain("/seed").And.Contain("key=(redacted)"), "the request lines were logged, without the key");
        Assert.That(log, Does.Not.Contain(key).And.Not.Contain("pk-wrong-but-secret-looking"));
    }

    [TestCase("Relay:Compat:SeedPath=/", "Relay:Compat:SeedPath")]
    [TestCase("Relay:Compat:SeedPath=seed", "Relay:Compat:SeedPath")]
    [TestCase("Relay:Compat:SeedPath=/seed --Relay:Auth:SubscriberSecret=subscriber-secret-of-at-least-32-bytes!", "Relay:Auth:SubscriberSecret")]
    public void InvalidSeedPath_StartupRefusedNamingIt(string settings, string named)
    {
        var refusal = Assert.Throws<RelayStartupException>(() => RelayApplication.Build([.. settings.Split(' ').Select(setting => setting.StartsWith("--", StringComparison.Ordinal) ? setting : "--" + setting)]));

        Assert.That(refusal!.Message, Does.Contain("Relay:Compat:SeedPath").And.Contain(named));
    }

    [Test]
    public async Task SeedPathNotConfigured_NothingServedThere()
    {
        await using var relay = await RelayServer.StartAsync();

        var run = await SeedBackend.PushAsync(SeedUri(relay), Order);

        Assert.That(SeedBackend.CloseLine(run), Does.StartWith("refused HTTP/1.1 404"));
    }

    internal static Uri SeedUri(RelayServer relay, string query = "") => new($"ws://{relay.HttpBase.Authority}/seed{query}");

    /// <summary>
    /// Waits until the relay counts <paramref name="subscribers"/> decided subscribers: a seed client
    /// is live from its first moment, but counted once its window to publish has passed.
    /// </summary>
    internal static Task WaitUntilLiveAsync(RelayServer relay, int subscribers)
    {
        var gauge = relay.Services.GetRequiredService<RelayMetrics>().Connections.WithLabels("subscriber");
        return Eventually.UntilAsync(() => Task.FromResult(gauge.Value), counted => counted >= subscribers, $"{subscribers} subscribers counted",
            TimeSpan.FromSeconds(30));
    }
}
