using System.Net;
using System.Net.Sockets;

namespace OrderRelay.Tests.Support;

/// <summary>
/// HTTP and WebSocket connections that leave from a chosen loopback address (any of
/// 127.0.0.0/8 works on Linux without setup), so that one test process is many clients.
/// </summary>
internal static class SourceAddress
{
    /// <summary>The <paramref name="index"/>-th client address: 127.1.0.1, 127.1.0.2, … never 127.0.0.1, the proxy's own.</summary>
    public static IPAddress Client(int index) => new([127, (byte)(1 + index / 62_500), (byte)(index / 250 % 250), (byte)(1 + index % 250)]);

    /// <summary>A handler whose every connection is bound to <paramref name="source"/> before connecting.</summary>
    public static HttpMessageInvoker Invoker(IPAddress source) => new(new SocketsHttpHandler
    {
        UseProxy = false,
        ConnectCallback = async (context, cancellationToken) =>
        {
            var socket = new Socket(source.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                socket.Bind(new IPEndPoint(source, 0));
                await socket.ConnectAsync(context.DnsEndPoint, cancellationToken);
                return new NetworkStream(socket, ownsSocket: true);
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        },
    });
}
