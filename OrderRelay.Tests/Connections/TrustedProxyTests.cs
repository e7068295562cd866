using System.Net;
using OrderRelay.Tests.Support;

namespace OrderRelay.Tests.Connections;

/// <summary>
/// Clients behind a reverse proxy, as raw connections from loopback addresses: 127.0.0.1 is
/// the trusted proxy (Relay:ForwardedHeaders:KnownProxies), other 127.x addresses are
/// clients that connect directly and may lie in X-Forwarded-For.
/// </summary>
[CancelAfter(60_000)]
public sealed class TrustedProxyTests
{
    private static readonly IPAddress Proxy = IPAddress.Loopback;

    private static readonly string[] BehindProxy =
    [
        "Relay:ForwardedHeaders:KnownProxies:0=127.0.0.1",
        "Relay:ForwardedHeaders:KnownNetworks:0=10.9.0.0/16",
        "Relay:Limits:MaxConnectionsPerAddress=2",
    ];

    [Test]
    public async Task ClientsForwardedByTheProxy_EachHaveTheirOwnPerAddressLimit()
    {
        await using var relay = await RelayServer.StartAsync(BehindProxy);
        using var connections = new RawConnections(relay);

        Assert.That((await connections.HelloAsync(Proxy, "X-Forwarded-For: 10.0.0.1")).Type(), Is.EqualTo("welcome"));
        Assert.That((await connections.HelloAsync(Proxy, "X-Forwarded-For: 10.0.0.1")).Type(), Is.EqualTo("welcome"));
        var (_, refused) = await connections.UpgradeAsync(Proxy, "X-Forwarded-For: 10.0.0.1");
        Assert.That((await connections.HelloAsync(Proxy, "X-Forwarded-For: 10.0.0.2")).Type(), Is.EqualTo("welcome"));

        Assert.That(refused, Does.StartWith("HTTP/1.1 503 ").And.Contain("Your address is at its limit of 2"));
    }

    [Test]
    public async Task ClientThatIsNotATrustedProxy_CannotChooseItsAddress()
    {
        await using var relay = await RelayServer.StartAsync(BehindProxy);
        using var connections = new RawConnections(relay);
        var liar = IPAddress.Parse("127.0.0.9");

        await connections.HelloAsync(liar, "X-Forwarded-For: 10.0.0.1");
        await connections.HelloAsync(liar, "X-Forwarded-For: 10.0.0.2");
        var (_, third) = await connections.UpgradeAsync(liar, "X-Forwarded-For: 10.0.0.3");

        Assert.That(third, Does.StartWith("HTTP/1.1 503 "), "all three are 127.0.0.9, whatever the header says");
    }

    [Test]
    public async Task ChainOfProxies_TheRightMostAddressNotTrustedIsTheClient()
    {
        await using var relay = await RelayServer.StartAsync(BehindProxy);
        using var connections = new RawConnections(relay);

        // 10.9.0.1 is a trusted proxy (KnownNetworks), so the client is 203.0.113.7; what it put
        // on the left of its own address does not count.
        await connections.HelloAsync(Proxy, "X-Forwarded-For: 203.0.113.7, 10.9.0.1");
        await connections.HelloAsync(Proxy, "X-Forwarded-For: 10.0.0.66, 203.0.113.7, 10.9.0.1");
        var (_, third) = await connections.UpgradeAsync(Proxy, "X-Forwarded-For: 10.0.0.67, 203.0.113.7");
        var other = await connections.HelloAsync(Proxy, "X-Forwarded-For: 203.0.113.8", "X-Forwarded-For: 10.9.0.1");

        Assert.That(third, Does.StartWith("HTTP/1.1 503 "));
        Assert.That(other.Type(), Is.EqualTo("welcome"), "repeated header lines are one list, as Kestrel reads them");
    }

    [Test]
    public async Task UpgradeServedByTheHttpPipeline_SameClientAddresses()
    {
        await using var relay = await RelayServer.StartAsync(BehindProxy);
        using var connections = new RawConnections(relay);
        // A head longer than the edge reads goes to Kestrel and the forwarded-headers middleware.
        var padding = "X-Padding: " + new string('x', 9_000);

        Assert.That((await connections.HelloAsync(Proxy, "X-Forwarded-For: 10.0.0.1", padding)).Type(), Is.EqualTo("welcome"));
        Assert.That((await connections.HelloAsync(Proxy, "X-Forwarded-For: 10.0.0.1", padding)).Type(), Is.EqualTo("welcome"));
        var (_, refused) = await connections.UpgradeAsync(Proxy, "X-Forwarded-For: 10.0.0.1", padding);
        var other = await connections.HelloAsync(Proxy, "X-Forwarded-For: 10.0.0.2", padding);

        Assert.That(refused, Does.StartWith("HTTP/1.1 503 ").And.Contain("Your address is at its limit of 2"));
        Assert.That(other.Type(), Is.EqualTo("welcome"));
    }

    [Test]
    public async Task HttpPublishRateLimit_IsPerForwardedClient()
    {
        await using var relay = await RelayServer.StartAsync([.. BehindProxy, "Relay:Limits:PublishRatePerSecond=1", "Relay:Limits:PublishBurst=1"]);

        var first = await PublishAsync(relay, "10.0.0.1");
        var second = await PublishAsync(relay, "10.0.0.1");
        var otherClient = await PublishAsync(relay, "10.0.0.2");

        Assert.That(first, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(second, Is.EqualTo(HttpStatusCode.TooManyRequests));
        Assert.That(otherClient, Is.EqualTo(HttpStatusCode.OK), "another client behind the same proxy has its own bucket");
    }

    [Test]
    public async Task WithoutTrustedProxies_TheHeaderIsIgnored()
    {
        await using var relay = await RelayServer.StartAsync("Relay:Limits:PublishRatePerSecond=1", "Relay:Limits:PublishBurst=1");

        Assert.That(await PublishAsync(relay, "10.0.0.1"), Is.EqualTo(HttpStatusCode.OK));
        Assert.That(await PublishAsync(relay, "10.0.0.2"), Is.EqualTo(HttpStatusCode.TooManyRequests));
    }

    [Test]
    public async Task HelloLogLine_NamesTheForwardedClient()
    {
        var directory = Directory.CreateTempSubdirectory("orderrelay-log-");
        var logFile = Path.Combine(directory.FullName, "relay.log");
        await using (var relay = await RelayServer.StartAsync([.. BehindProxy, $"Relay:LogFile={logFile}", "Serilog:MinimumLevel:Default=Information"]))
        {
            using var connections = new RawConnections(relay);
            await connections.HelloAsync(Proxy, "X-Forwarded-For: 198.51.100.23");
        }

        var log = string.Concat(directory.GetFiles().Select(file => File.ReadAllText(file.FullName)));
        directory.Delete(recursive: true);
        Assert.That(log, Does.Contain("\"Client\":\"198.51.100.23\""));
    }

    private static async Task<HttpStatusCode> PublishAsync(RelayServer relay, string forwardedFor)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/publish") { Content = new StringContent("""{"merchant_id":"m-1"}""") };
        request.Headers.Add("X-Forwarded-For", forwardedFor);
        using var response = await relay.Http.SendAsync(request);
        return response.StatusCode;
    }
}
