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
        using var open = new OpenConnections();
        var silent = new List<RawHttpConnection>();
        for (var i = 0; i < 3; i++)
        {
            silent.Add(await open.UpgradeAsync(relay, Flooder, expect: "HTTP/1.1 101 "));
        }

        var fourth = await open.UpgradeAsync(relay, Flooder, expect: "HTTP/1.1 503 ");
        var merchant = await open.AddAsync(relay, Merchant);

        Assert.That((await merchant.UpgradeAndHelloAsync()).Type(), Is.EqualTo("welcome"));
        Assert.That(await ReadReasonAsync(fourth), Does.Contain("3 connections that have not said hello"));
        // Once one of them says hello it no longer takes a pending slot.
        Assert.That((await silent[0].HelloAsync()).Type(), Is.EqualTo("welcome"));
        await open.UpgradeAsync(relay, Flooder, expect: "HTTP/1.1 101 ");
    }

    [Test]
    public async Task FloodThroughATrustedProxy_DoesNotLockOutMerchantsBehindIt()
    {
        await using var relay = await RelayServer.StartAsync("Relay:ForwardedHeaders:KnownProxies:0=127.0.0.1",
            "Relay:Limits:MaxPendingHandshakesPerAddress=4");
        using var open = new OpenConnections();
        for (var i = 0; i < 4; i++)
        {
            await open.UpgradeAsync(relay, IPAddress.Loopback, expect: "HTTP/1.1 101 ", "X-Forwarded-For: 192.0.2.66");
        }

        await open.UpgradeAsync(relay, IPAddress.Loopback, expect: "HTTP/1.1 503 ", "X-Forwarded-For: 192.0.2.66");
        var merchant = await open.AddAsync(relay, IPAddress.Loopback);

        Assert.That((await merchant.UpgradeAndHelloAsync("X-Forwarded-For: 192.0.2.10")).Type(), Is.EqualTo("welcome"));
    }

    [Test]
    public async Task SilentSocketsFromManyAddresses_StopAtTheTotalPendingBudget()
    {
        await using var relay = await RelayServer.StartAsync("Relay:Limits:MaxPendingHandshakesPerAddress=2", "Relay:Limits:MaxPendingHandshakes=4");
        using var open = new OpenConnections();
        foreach (var from in new[] { "127.0.0.11", "127.0.0.11", "127.0.0.12", "127.0.0.12" })
        {
            await open.UpgradeAsync(relay, IPAddress.Parse(from), expect: "HTTP/1.1 101 ");
        }

        var fifth = await open.UpgradeAsync(relay, IPAddress.Parse("127.0.0.13"), expect: "HTTP/1.1 503 ");

        Assert.That(await ReadReasonAsync(fifth), Does.Contain("4 connections waiting for hello"));
    }

    [Test]
    public async Task SilentSocket_IsClosedAtTheHandshakeTimeout_AndItsSlotFreed()
    {
        await using var relay = await RelayServer.StartAsync("Relay:Limits:MaxPendingHandshakesPerAddress=1", "Relay:HandshakeTimeout=00:00:01");
        using var open = new OpenConnections();
        var silent = await open.UpgradeAsync(relay, Flooder, expect: "HTTP/1.1 101 ");

        await silent.WaitUntilClosedAsync(TimeSpan.FromSeconds(15));

        await open.UpgradeAsync(relay, Flooder, expect: "HTTP/1.1 101 ");
    }

    private static async Task<string> ReadReasonAsync(RawHttpConnection connection)
    {
        var buffer = new byte[1024];
        var read = await connection.Stream.ReadAsync(buffer).AsTask().WaitAsync(WsClient.DefaultWait);
        return System.Text.Encoding.UTF8.GetString(buffer, 0, read);
    }

    private sealed class OpenConnections : IDisposable
    {
        private readonly List<RawHttpConnection> _connections = [];

        public async Task<RawHttpConnection> AddAsync(RelayServer relay, IPAddress from)
        {
            var connection = await RawHttpConnection.OpenAsync(relay.HttpBase, from);
            _connections.Add(connection);
            return connection;
        }

        /// <summary>Sends an upgrade head and checks the status line's start; the connection stays open and says nothing.</summary>
        public async Task<RawHttpConnection> UpgradeAsync(RelayServer relay, IPAddress from, string expect, params string[] headers)
        {
            var connection = await AddAsync(relay, from);
            await connection.WriteAsync(RawHttpConnection.UpgradeHead(extraHeaders: headers));
            Assert.That(await connection.ReadHeadAsync(), Does.StartWith(expect));
            return connection;
        }

        public void Dispose() => _connections.ForEach(connection => connection.Dispose());
    }
}
