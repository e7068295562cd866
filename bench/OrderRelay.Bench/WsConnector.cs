using System.Net;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Security.Cryptography;
using System.Text;

namespace OrderRelay.Bench;

/// <summary>
/// Opens lean client WebSockets: a plain socket bound to a chosen loopback source address,
/// an HTTP/1.1 upgrade request written by hand, then <see cref="WebSocket.CreateFromStream(Stream, WebSocketCreationOptions)"/>
/// so the framing stays in the library. A <see cref="ClientWebSocket"/> costs several times
/// the memory and setup time, which matters at 20,000 connections on the relay's own cores.
/// </summary>
internal sealed class WsConnector
{
    /// <summary>Linux's <c>IP_BIND_ADDRESS_NO_PORT</c> (at <c>IPPROTO_IP</c>), which .NET does not name.</summary>
    private const int BindAddressNoPort = 24;

    private static readonly byte[] HeaderEnd = "\r\n\r\n"u8.ToArray();
    private readonly IPEndPoint _server;
    private readonly IPAddress[] _sources;
    private readonly string _path;
    private int _next;

    /// <param name="sourceAddresses">Loopback addresses to connect from in turn (127.0.0.2...), each with its own port range.</param>
    public WsConnector(Uri webSocketUri, int sourceAddresses)
    {
        _server = new IPEndPoint(IPAddress.Parse(webSocketUri.Host), webSocketUri.Port);
        _path = webSocketUri.PathAndQuery;
        _sources = Enumerable.Range(2, Math.Max(1, sourceAddresses)).Select(i => new IPAddress([127, 0, 0, (byte)i])).ToArray();
    }

    /// <param name="readAhead">
    /// Reads the socket in 16 KiB chunks (<see cref="ReadAheadStream"/>), for a subscriber taking a
    /// stream of deliveries; an idle page reads the socket directly and so holds no chunk.
    /// </param>
    public async Task<WebSocket> ConnectAsync(CancellationToken cancellationToken, bool readAhead = true)
    {
        var source = _sources[(uint)Interlocked.Increment(ref _next) % _sources.Length];
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            if (OperatingSystem.IsLinux())
            {
                // The source port is then chosen at connect, unique for the whole address pair, instead
                // of at bind among every socket on the source address, the last runs' TIME_WAIT ones
                // included. Without it, a bind now and then searched so long that the load generator
                // spent 2-10x its usual CPU per connection: the idle scenario's accept-rate outliers.
                socket.SetRawSocketOption((int)SocketOptionLevel.IP, BindAddressNoPort, BitConverter.GetBytes(1));
            }

            socket.Bind(new IPEndPoint(source, 0));
            await socket.ConnectAsync(_server, cancellationToken);
            var stream = new NetworkStream(socket, ownsSocket: true);
            await UpgradeAsync(stream, cancellationToken);
            return WebSocket.CreateFromStream(readAhead ? new ReadAheadStream(stream) : stream, new WebSocketCreationOptions { IsServer = false, KeepAliveInterval = TimeSpan.Zero });
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    private async Task UpgradeAsync(NetworkStream stream, CancellationToken cancellationToken)
    {
        var key = Convert.ToBase64String(RandomNumberGenerator.GetBytes(16));
        var request = $"GET {_path} HTTP/1.1\r\nHost: {_server}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
            $"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n";
        await stream.WriteAsync(Encoding.ASCII.GetBytes(request), cancellationToken);

        // Both servers speak only after the client's hello, so everything read here is the response head.
        var buffer = new byte[1024];
        var length = 0;
        while (buffer.AsSpan(0, length).IndexOf(HeaderEnd) < 0)
        {
            if (length == buffer.Length)
            {
                throw new InvalidOperationException("The upgrade response head is over 1 KiB.");
            }

            var read = await stream.ReadAsync(buffer.AsMemory(length), cancellationToken);
            if (read == 0)
            {
                throw new IOException("The server closed the connection during the upgrade.");
            }

            length += read;
        }

        var head = Encoding.ASCII.GetString(buffer, 0, length);
#pragma warning disable CA5350 // RFC 6455 fixes SHA-1 for Sec-WebSocket-Accept; it is a checksum here, not security.
        var expected = Convert.ToBase64String(SHA1.HashData(Encoding.ASCII.GetBytes(key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11")));
#pragma warning restore CA5350
        if (!head.StartsWith("HTTP/1.1 101", StringComparison.Ordinal) || !head.Contains(expected, StringComparison.Ordinal))
        {
            throw new InvalidOperationException("The server refused the upgrade: " + head.Split("\r\n")[0]);
        }
    }
}
