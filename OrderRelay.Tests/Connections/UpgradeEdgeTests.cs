using System.Net.Sockets;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using OrderRelay.Tests.Support;

namespace OrderRelay.Tests.Connections;

/// <summary>
/// The upgrade as raw bytes on a socket: what the connection middleware answers itself and
/// what it leaves to Kestrel's HTTP pipeline.
/// </summary>
[CancelAfter(30_000)]
public sealed class UpgradeEdgeTests : RelayServerTests
{
    private const string Key = "dGhlIHNhbXBsZSBub25jZQ==";

    [Test]
    public async Task ConnectionThatHasSentNothing_DoesNotHoldUpShutdown()
    {
        // As a browser's preconnected socket: open, and no request yet.
        using var silent = await ConnectAsync();
        // The relay has the connection once it answers a request on another.
        using (await Relay.Http.GetAsync("/healthz"))
        {
        }

        var stopping = System.Diagnostics.Stopwatch.StartNew();
        await Relay.StopAsync();

        // Well inside the host's 8 s shutdown allowance, which a waiting head read used up.
        Assert.That(stopping.Elapsed, Is.LessThan(TimeSpan.FromSeconds(3)));
    }

    [Test]
    public async Task Upgrade_101WithRfcAcceptAndNoHttpHeaders_ThenHelloIsWelcomed()
    {
        using var tcp = await ConnectAsync();
        var stream = tcp.GetStream();
        await WriteAsync(stream, UpgradeHead("/"));

        var head = await ReadHeadAsync(stream);

        Assert.That(head, Does.StartWith("HTTP/1.1 101 "));
        // RFC 6455 section 1.3's example key and answer.
        Assert.That(head, Does.Contain("\r\nSec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n"));
        Assert.That(await HelloAsync(stream), Is.EqualTo("welcome"));
    }

    [Test]
    public async Task UpgradeHeadInPieces_StillUpgrades()
    {
        using var tcp = await ConnectAsync();
        var stream = tcp.GetStream();
        var request = UpgradeHead("/");
        foreach (var piece in request.Chunk(7))
        {
            await WriteAsync(stream, piece);
        }

        Assert.That(await ReadHeadAsync(stream), Does.StartWith("HTTP/1.1 101 "));
        Assert.That(await HelloAsync(stream), Is.EqualTo("welcome"));
    }

    [Test]
    public async Task HelloSentWithTheHead_IsWelcomed()
    {
        using var tcp = await ConnectAsync();
        var stream = tcp.GetStream();
        await WriteAsync(stream, [.. UpgradeHead("/"), .. MaskedTextFrame("""{"type":"hello","role":"subscriber"}""")]);

        Assert.That(await ReadHeadAsync(stream), Does.StartWith("HTTP/1.1 101 "));
        using var socket = WebSocket.CreateFromStream(stream, new WebSocketCreationOptions { IsServer = false });
        Assert.That(await ReceiveTypeAsync(socket), Is.EqualTo("welcome"));
    }

    [Test]
    public async Task UpgradeWithQueryAndKeepAliveConnection_Upgrades()
    {
        using var tcp = await ConnectAsync();
        var stream = tcp.GetStream();
        await WriteAsync(stream, UpgradeHead("/?client=till-3", connection: "keep-alive, Upgrade"));

        Assert.That(await ReadHeadAsync(stream), Does.StartWith("HTTP/1.1 101 "));
    }

    [Test]
    public async Task UpgradeHeadLargerThanTheEdgeReads_ServedByTheHttpPipeline()
    {
        using var tcp = await ConnectAsync();
        var stream = tcp.GetStream();
        await WriteAsync(stream, UpgradeHead("/", extraHeader: "X-Padding: " + new string('p', 12 * 1024)));

        Assert.That(await ReadHeadAsync(stream), Does.StartWith("HTTP/1.1 101 "));
        Assert.That(await HelloAsync(stream), Is.EqualTo("welcome"));
    }

    [Test]
    public async Task UpgradeHeadOverKestrelsLimit_Answers431()
    {
        using var tcp = await ConnectAsync();
        var stream = tcp.GetStream();
        await WriteAsync(stream, UpgradeHead("/", extraHeader: "X-Padding: " + new string('p', 40 * 1024)));

        Assert.That(await ReadHeadAsync(stream), Does.StartWith("HTTP/1.1 431 "));
    }

    [Test]
    public async Task UpgradeOnAnotherPath_Answers404()
    {
        using var tcp = await ConnectAsync();
        var stream = tcp.GetStream();
        await WriteAsync(stream, UpgradeHead("/elsewhere"));

        Assert.That(await ReadHeadAsync(stream), Does.StartWith("HTTP/1.1 404 "));
    }

    [Test]
    public async Task NonUpgradeGetOnThePath_Answers426()
    {
        using var tcp = await ConnectAsync();
        var stream = tcp.GetStream();
        await WriteAsync(stream, Encoding.ASCII.GetBytes("GET / HTTP/1.1\r\nHost: relay\r\n\r\n"));

        var head = await ReadHeadAsync(stream);

        Assert.That(head, Does.StartWith("HTTP/1.1 426 "));
        Assert.That(head, Does.Contain("\r\nUpgrade: websocket\r\n"));
    }

    [Test]
    public async Task UpgradeWithWrongVersion_Answers426()
    {
        using var tcp = await ConnectAsync();
        var stream = tcp.GetStream();
        await WriteAsync(stream, UpgradeHead("/", version: "8"));

        Assert.That(await ReadHeadAsync(stream), Does.StartWith("HTTP/1.1 426 "));
    }

    [Test]
    public async Task HealthThenUpgradeOnOneConnection_BothServed()
    {
        using var tcp = await ConnectAsync();
        var stream = tcp.GetStream();
        await WriteAsync(stream, Encoding.ASCII.GetBytes("GET /healthz HTTP/1.1\r\nHost: relay\r\n\r\n"));
        var health = await ReadHeadAsync(stream);
        await SkipBodyAsync(stream, health);

        await WriteAsync(stream, UpgradeHead("/"));

        Assert.That(health, Does.StartWith("HTTP/1.1 200 "));
        Assert.That(await ReadHeadAsync(stream), Does.StartWith("HTTP/1.1 101 "));
        Assert.That(await HelloAsync(stream), Is.EqualTo("welcome"));
    }

    [Test]
    public async Task ClientDropsAfterUpgrade_ConnectionIsRemoved()
    {
        using var tcp = await ConnectAsync();
        var stream = tcp.GetStream();
        await WriteAsync(stream, UpgradeHead("/"));
        await ReadHeadAsync(stream);
        var welcome = await HelloFrameAsync(stream);
        var connection = Relay.Connections.Find(welcome.GetProperty("connection_id").GetString()!);
        Assert.That(connection, Is.Not.Null);

        // Closed with a reset, no close handshake: a tab gone.
        tcp.Client.Close(0);

        await connection!.Completion.WaitAsync(WsClient.DefaultWait);
        Assert.That(Relay.Connections.Find(connection.Id), Is.Null);
    }

    [Test]
    public async Task FrameWithAReservedOpcode_ClosedWith1002ProtocolError()
    {
        using var tcp = await ConnectAsync();
        var stream = tcp.GetStream();
        await WriteAsync(stream, UpgradeHead("/"));
        await ReadHeadAsync(stream);

        // Opcode 0x3 is reserved for further non-control frames (RFC 6455 5.2).
        await WriteAsync(stream, [0x83, 0x80, 0, 0, 0, 0]);

        Assert.That(await ReadCloseCodeAsync(stream), Is.EqualTo(1002));
        Assert.That(await ReadEndAsync(stream), Is.Zero, "then the TCP connection ends gracefully, not reset before the close is read");
    }

    [Test]
    public async Task TextFrameThatIsNotUtf8_ClosedWith1007InvalidPayload()
    {
        using var tcp = await ConnectAsync();
        var stream = tcp.GetStream();
        await WriteAsync(stream, UpgradeHead("/"));
        await ReadHeadAsync(stream);

        // 0xC3 0x28: a two-byte sequence whose second byte is not a continuation byte.
        await WriteAsync(stream, [0x81, 0x82, 0, 0, 0, 0, 0xC3, 0x28]);

        Assert.That(await ReadCloseCodeAsync(stream), Is.EqualTo(1007));
        Assert.That(await ReadEndAsync(stream), Is.Zero, "then the TCP connection ends gracefully, not reset before the close is read");
    }

    private async Task<TcpClient> ConnectAsync()
    {
        var tcp = new TcpClient { NoDelay = true };
        await tcp.ConnectAsync(Relay.HttpBase.Host, Relay.HttpBase.Port);
        return tcp;
    }

    private static byte[] UpgradeHead(string target, string connection = "Upgrade", string version = "13", string? extraHeader = null) =>
        Encoding.ASCII.GetBytes($"GET {target} HTTP/1.1\r\nHost: relay\r\nUpgrade: websocket\r\nConnection: {connection}\r\n" +
            $"Sec-WebSocket-Key: {Key}\r\nSec-WebSocket-Version: {version}\r\n" + (extraHeader is null ? "" : extraHeader + "\r\n") + "\r\n");

    /// <summary>A client frame: masked (with a zero key, which leaves the payload as it is), under 126 bytes.</summary>
    private static byte[] MaskedTextFrame(string text)
    {
        var payload = Encoding.UTF8.GetBytes(text);
        return [0x81, (byte)(0x80 | payload.Length), 0, 0, 0, 0, .. payload];
    }

    private static async Task WriteAsync(NetworkStream stream, byte[] bytes)
    {
        await stream.WriteAsync(bytes);
        await stream.FlushAsync();
    }

    private static Task<string> ReadHeadAsync(NetworkStream stream) => RawHttpConnection.ReadHeadAsync(stream);

    /// <summary>Reads past a response body, sized or chunked, so the connection can carry the next request.</summary>
    private static async Task SkipBodyAsync(NetworkStream stream, string head)
    {
        var length = head.Split("\r\n").FirstOrDefault(line => line.StartsWith("Content-Length:", StringComparison.OrdinalIgnoreCase));
        if (length is not null)
        {
            await stream.ReadExactlyAsync(new byte[int.Parse(length.Split(':')[1], System.Globalization.CultureInfo.InvariantCulture)]);
            return;
        }

        var body = new List<byte>();
        var one = new byte[1];
        while (!Encoding.ASCII.GetString([.. body]).EndsWith("0\r\n\r\n", StringComparison.Ordinal))
        {
            await stream.ReadExactlyAsync(one).AsTask().WaitAsync(WsClient.DefaultWait);
            body.Add(one[0]);
        }
    }

    /// <summary>What the next read returns: 0 once the relay has closed the connection.</summary>
    private static async Task<int> ReadEndAsync(NetworkStream stream) => await stream.ReadAsync(new byte[1]).AsTask().WaitAsync(WsClient.DefaultWait);

    /// <summary>Reads server frames until a close frame and returns its status code.</summary>
    private static async Task<int> ReadCloseCodeAsync(NetworkStream stream)
    {
        var header = new byte[2];
        while (true)
        {
            await stream.ReadExactlyAsync(header).AsTask().WaitAsync(WsClient.DefaultWait);
            var payload = new byte[header[1] & 0x7F];
            await stream.ReadExactlyAsync(payload).AsTask().WaitAsync(WsClient.DefaultWait);
            if ((header[0] & 0x0F) == 0x8)
            {
                return payload.Length >= 2 ? payload[0] << 8 | payload[1] : 1005;
            }
        }
    }

    private static async Task<string> HelloAsync(NetworkStream stream) => (await HelloFrameAsync(stream)).Type();

    private static Task<JsonElement> HelloFrameAsync(NetworkStream stream) => RawHttpConnection.HelloAsync(stream);

    private static async Task<string> ReceiveTypeAsync(WebSocket socket) => (await ReceiveFrameAsync(socket)).Type();

    private static async Task<JsonElement> ReceiveFrameAsync(WebSocket socket)
    {
        var buffer = new byte[4096];
        var result = await socket.ReceiveAsync(buffer, CancellationToken.None).WaitAsync(WsClient.DefaultWait);
        using var frame = JsonDocument.Parse(buffer.AsMemory(0, result.Count));
        return frame.RootElement.Clone();
    }
}
