using System.Diagnostics;
using OrderRelay.Tests.Support;

namespace OrderRelay.Tests.Connections;

/// <summary>
/// Heads the upgrade edge must not take: each gets the answer Kestrel and RFC 6455 give,
/// promptly, and never a 101.
/// </summary>
[CancelAfter(60_000)]
public sealed class UpgradeStrictnessTests() : RelayServerTests("Relay:HandshakeTimeout=00:00:01", "Kestrel:Limits:RequestHeadersTimeout=00:00:02")
{
    [TestCase("a b", TestName = "HostWithASpace_Answers400")]
    [TestCase("<script>", TestName = "HostWithMarkup_Answers400")]
    [TestCase("relay:80:80", TestName = "HostWithTwoPorts_Answers400")]
    [TestCase("", TestName = "NoHostHeader_Answers400")]
    public async Task UpgradeWithAHostKestrelRefuses_Answers400(string host)
    {
        Assert.That(await AnswerToAsync(RawHttpConnection.UpgradeHead(host: host)), Does.StartWith("HTTP/1.1 400 "));
    }

    [TestCase("relay", TestName = "HostName_Upgrades")]
    [TestCase("127.0.0.1:8080", TestName = "HostAddressAndPort_Upgrades")]
    [TestCase("[::1]:8080", TestName = "HostIPv6AndPort_Upgrades")]
    public async Task UpgradeWithAPlainHost_Upgrades(string host)
    {
        Assert.That(await AnswerToAsync(RawHttpConnection.UpgradeHead(host: host)), Does.StartWith("HTTP/1.1 101 "));
    }

    [TestCase("", TestName = "NoVersion_Answers426NamingVersion13")]
    [TestCase("8", TestName = "Version8_Answers426NamingVersion13")]
    public async Task UpgradeWithoutVersion13_Answers426NamingTheVersion(string version)
    {
        var head = await AnswerToAsync(RawHttpConnection.UpgradeHead(version: version));

        Assert.That(head, Does.StartWith("HTTP/1.1 426 "));
        Assert.That(head, Does.Contain("\r\nSec-WebSocket-Version: 13\r\n"));
    }

    [TestCase("", TestName = "NoKey_Answers400")]
    [TestCase("not-a-base64-key", TestName = "KeyNotBase64_Answers400")]
    [TestCase("AAAAAAAAAAAAAAAAAAAAAAAAAAAA", TestName = "KeyOf21Bytes_Answers400")]
    public async Task UpgradeWithABadKey_Answers400(string key)
    {
        Assert.That(await AnswerToAsync(RawHttpConnection.UpgradeHead(key: key)), Does.StartWith("HTTP/1.1 400 "));
    }

    [Test]
    public async Task HeadWithBareLineFeeds_AnsweredByKestrelAtOnce()
    {
        var started = Stopwatch.StartNew();

        var head = await AnswerToAsync(RawHttpConnection.UpgradeHead().Replace("\r\n", "\n", StringComparison.Ordinal));

        // Kestrel's HTTP layer answered (the edge's own 101 carries no Date), under Kestrel's rules.
        Assert.That(head, Does.Contain("Date: "));
        Assert.That(started.Elapsed, Is.LessThan(TimeSpan.FromSeconds(1)), "not after the handshake timeout");
    }

    [Test]
    public async Task HalfSentHead_ClosedWithinHandshakeTimeoutPlusRequestHeadersTimeout()
    {
        using var connection = await RawHttpConnection.OpenAsync(Relay.HttpBase);
        var head = RawHttpConnection.UpgradeHead();
        var started = Stopwatch.StartNew();

        await connection.WriteAsync(head[..(head.Length / 2)]);
        await connection.WaitUntilClosedAsync(TimeSpan.FromSeconds(20));

        // 1 s at the edge, then 2 s in Kestrel; once this was Kestrel's 130 s keep-alive timeout.
        Assert.That(started.Elapsed, Is.GreaterThan(TimeSpan.FromSeconds(2.5)).And.LessThan(TimeSpan.FromSeconds(10)));
    }

    [Test]
    public async Task HeadFinishedAfterTheEdgeGaveUp_IsServedByKestrel()
    {
        using var connection = await RawHttpConnection.OpenAsync(Relay.HttpBase);
        var head = RawHttpConnection.UpgradeHead();
        await connection.WriteAsync(head[..(head.Length / 2)]);
        // Past the edge's 1 s, within Kestrel's 2 s: Kestrel reads the whole head, half from the edge's replay.
        await Task.Delay(TimeSpan.FromSeconds(1.5));

        await connection.WriteAsync(head[(head.Length / 2)..]);

        Assert.That(await connection.ReadHeadAsync(), Does.StartWith("HTTP/1.1 101 "));
        Assert.That((await connection.HelloAsync()).Type(), Is.EqualTo("welcome"));
    }

    private async Task<string> AnswerToAsync(string head)
    {
        using var connection = await RawHttpConnection.OpenAsync(Relay.HttpBase);
        await connection.WriteAsync(head);
        return await connection.ReadHeadAsync();
    }
}
