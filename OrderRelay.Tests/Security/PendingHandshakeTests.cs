using System.Net;
using OrderRelay.Tests.Support;

namespace OrderRelay.Tests.Security;

/// <summary>
/// Sockets that upgrade and never say hello take only the pending budget
/// (Relay:Limits:MaxPendingHandshakesPerAddress, MaxPendingHandshakes), never what merchants need.
/// </summary>
[CancelAfter(60_000)]
public sealed class PendingHandshakeTests
{
    private static readonly IPAddress Flooder = IPAddress.Parse("127.0.0.7");
    private static readonly IPAddress Merchant = IPAddress.Parse("127.0.0.8");

    [Test]
    public async Task SilentSocketsOverThePendingBudget_Refused_WhileOthersAreWelcomed()
    {
        await using var relay = await RelayServer.StartAsync("Relay:Limits:MaxPendingHandshakesPerAddress=3");
        using var open = new RawConnections(relay);
        var silent = new List<RawHttpConnection>();
        for (var i = 0; i < 3; i++)
        {
            silent.Add(await UpgradeAsync(open, Flooder, expect: "HTTP/1.1 101 "));
        }

        var (_, fourth) = await open.UpgradeAsync(Flooder);
        var merchant = await open.OpenAsync(Merchant);

        Assert.That((await merchant.UpgradeAndHelloAsync()).Type(), Is.EqualTo("welcome"));
        Assert.That(fourth, Does.StartWith("HTTP/1.1 503 ").And.Contain("3 connections that have not said hello"));
        // Once one of them says hello it no longer takes a pending slot.
        Assert.That((await silent[0].HelloAsync()).Type(), Is.EqualTo("welcome"));
        await UpgradeAsync(open, Flooder, expect: "HTTP/1.1 101 ");
    }

    [Test]
    public async Task FloodThroughATrustedProxy_DoesNotLockOutMerchantsBehindIt()
    {
        await using var relay = await RelayServer.StartAsync("Relay:ForwardedHeaders:KnownProxies:0=127.0.0.1",
            "Relay:Limits:MaxPendingHandshakesPerAddress=4");
        using var open = new RawConnections(relay);
        for (var i = 0; i < 4; i++)
        {
            await UpgradeAsync(open, IPAddress.Loopback, expect: "HTTP/1.1 101 ", "X-Forwarded-For: 192.0.2.66");
        }

        await UpgradeAsync(open, IPAddress.Loopback, expect: "HTTP/1.1 503 ", "X-Forwarded-For: 192.0.2.66");
        var merchant = await open.OpenAsync(IPAddress.Loopback);

        Assert.That((await merchant.UpgradeAndHelloAsync("X-Forwarded-For: 192.0.2.10")).Type(), Is.EqualTo("welcome"));
    }

    [Test]
    public async Task SilentSocketsFromManyAddresses_StopAtTheTotalPendingBudget()
    {
        await using var relay = await RelayServer.StartAsync("Relay:Limits:MaxPendingHandshakesPerAddress=2", "Relay:Limits:MaxPendingHandshakes=4");
        using var open = new RawConnections(relay);
        foreach (var from in new[] { "127.0.0.11", "127.0.0.11", "127.0.0.12", "127.0.0.12" })
        {
            await UpgradeAsync(open, IPAddress.Parse(from), expect: "HTTP/1.1 101 ");
        }

        var (_, fifth) = await open.UpgradeAsync(IPAddress.Parse("127.0.0.13"));

        Assert.That(fifth, Does.StartWith("HTTP/1.1 503 ").And.Contain("4 connections waiting for hello"));
    }

    [Test]
    public async Task SilentSocket_IsClosedAtTheHandshakeTimeout_AndItsSlotFreed()
    {
        await using var relay = await RelayServer.StartAsync("Relay:Limits:MaxPendingHandshakesPerAddress=1", "Relay:HandshakeTimeout=00:00:01");
        using var open = new RawConnections(relay);
        var silent = await UpgradeAsync(open, Flooder, expect: "HTTP/1.1 101 ");

        await silent.WaitUntilClosedAsync(TimeSpan.FromSeconds(15));

        await UpgradeAsync(open, Flooder, expect: "HTTP/1.1 101 ");
    }

    private static async Task<RawHttpConnection> UpgradeAsync(RawConnections connections, IPAddress from, string expect, params string[] headers)
    {
        var (connection, answer) = await connections.UpgradeAsync(from, headers);
        Assert.That(answer, Does.StartWith(expect));
        return connection;
    }
}
