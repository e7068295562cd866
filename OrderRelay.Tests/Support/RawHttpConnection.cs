using System.Net;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;

namespace OrderRelay.Tests.Support;

/// <summary>
/// A TCP connection to the relay from a chosen loopback source address (127.0.0.0/8 gives one
/// per client, as a proxy's clients have), speaking HTTP/1.1 as raw bytes, so that heads the
/// client libraries would never send, and the answers to them, can be seen as they are.
/// </summary>
internal sealed class RawHttpConnection : IDisposable
{
    public const string ExampleKey = "dGhlIHNhbXBsZSBub25jZQ==";

    private readonly TcpClient _tcp;

    private RawHttpConnection(TcpClient tcp)
    {
        _tcp = tcp;
        Stream = tcp.GetStream();
    }

    public NetworkStream Stream { get; }

    public static async Task<RawHttpConnection> OpenAsync(Uri relay, IPAddress? from = null)
    {
        var tcp = new TcpClient(new IPEndPoint(from ?? IPAddress.Loopback, 0)) { NoDelay = true };
        try
        {
            await tcp.ConnectAsync(relay.Host, relay.Port).WaitAsync(WsClient.DefaultWait);
            return new RawHttpConnection(tcp);
        }
        catch
        {
            tcp.Dispose();
            throw;
        }
    }

    /// <summary>An upgrade head; each extra header is a whole line such as <c>X-Forwarded-For: 10.0.0.1</c>.</summary>
    public static string UpgradeHead(string target = "/", string host = "relay", string version = "13", string key = ExampleKey, params string[] extraHeaders)
    {
        var head = new StringBuilder($"GET {target} HTTP/1.1\r\n");
        if (host.Length > 0)
        {
            head.Append(CultureInvariant($"Host: {host}\r\n"));
        }

        head.Append("Upgrade: websocket\r\nConnection: Upgrade\r\n");
        if (key.Length > 0)
        {
            head.Append(CultureInvariant($"Sec-WebSocket-Key: {key}\r\n"));
        }

        if (version.Length > 0)
        {
            head.Append(CultureInvariant($"Sec-WebSocket-Version: {version}\r\n"));
        }

        foreach (var header in extraHeaders)
        {
            head.Append(header).Append("\r\n");
        }

        return head.Append("\r\n").ToString();
    }

    public async Task WriteAsync(string text)
    {
        await Stream.WriteAsync(Encoding.ASCII.GetBytes(text));
        await Stream.FlushAsync();
    }

    public Task<string> ReadHeadAsync(TimeSpan? wait = null) => ReadHeadAsync(Stream, wait);

    /// <summary>Reads a response head byte by byte, so nothing after it is taken from the stream.</summary>
    public static async Task<string> ReadHeadAsync(Stream stream, TimeSpan? wait = null)
    {
        var head = new List<byte>();
        var one = new byte[1];
        while (head.Count < 4 || !head.TakeLast(4).SequenceEqual("\r\n\r\n"u8.ToArray()))
        {
            await stream.ReadExactlyAsync(one).AsTask().WaitAsync(wait ?? WsClient.DefaultWait);
            head.Add(one[0]);
        }

        return Encoding.ASCII.GetString([.. head]);
    }

    /// <summary>Upgrades, says hello as a subscriber and returns the first frame the relay answers.</summary>
    public async Task<JsonElement> UpgradeAndHelloAsync(params string[] extraHeaders)
    {
        await WriteAsync(UpgradeHead(extraHeaders: extraHeaders));
        var head = await ReadHeadAsync();
        if (!head.StartsWith("HTTP/1.1 101 ", StringComparison.Ordinal))
        {
            throw new InvalidOperationException("Not upgraded: " + head.Split("\r\n")[0]);
        }

        return await HelloAsync();
    }

    public Task<JsonElement> HelloAsync() => HelloAsync(Stream);

    /// <summary>Says hello as a subscriber on an upgraded stream; the relay's answer.</summary>
    public static async Task<JsonElement> HelloAsync(Stream stream)
    {
        var socket = WebSocket.CreateFromStream(stream, new WebSocketCreationOptions { IsServer = false, KeepAliveInterval = TimeSpan.Zero });
        await socket.SendAsync("""{"type":"hello","role":"subscriber"}"""u8.ToArray(), WebSocketMessageType.Text, endOfMessage: true, CancellationToken.None);
        var buffer = new byte[4096];
        var result = await socket.ReceiveAsync(buffer, CancellationToken.None).WaitAsync(WsClient.DefaultWait);
        using var frame = JsonDocument.Parse(buffer.AsMemory(0, result.Count));
        return frame.RootElement.Clone();
    }

    /// <summary>Completes when the relay closes the connection; throws if it is still open after <paramref name="wait"/>.</summary>
    public async Task WaitUntilClosedAsync(TimeSpan wait)
    {
        var buffer = new byte[4096];
        using var timeout = new CancellationTokenSource(wait);
        try
        {
            while (await Stream.ReadAsync(buffer, timeout.Token) > 0)
            {
            }
        }
        catch (IOException)
        {
            // Reset rather than closed: closed all the same.
        }
    }

    public void Dispose() => _tcp.Dispose();

    private static string CultureInvariant(FormattableString text) => FormattableString.Invariant(text);
}
