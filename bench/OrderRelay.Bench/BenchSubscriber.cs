using System.Diagnostics;
using System.Net.WebSockets;

namespace OrderRelay.Bench;

/// <summary>
/// One subscriber connection: says hello, then counts order frames and, when asked, records
/// each one's publish-to-receive latency. Its counters are its own (no shared writes per
/// delivery); readers sum them.
/// </summary>
internal sealed class BenchSubscriber : IDisposable
{
    private readonly WebSocket _socket;
    private readonly byte[] _buffer;
    private long _received;
    private long _lastSeq;

    private BenchSubscriber(WebSocket socket, long welcomeSeq, int bufferSize)
    {
        _socket = socket;
        _buffer = new byte[bufferSize];
        _lastSeq = welcomeSeq;
    }

    public long Received => Volatile.Read(ref _received);

    public long LastSeq => Volatile.Read(ref _lastSeq);

    /// <summary>Set when the server closed or failed the connection; a healthy run has none.</summary>
    public string? Failure { get; private set; }

    /// <summary>Where latencies go while a run measures them; null records nothing.</summary>
    public LatencyRecorder? Latencies { get; set; }

    public static async Task<BenchSubscriber> ConnectAsync(WsConnector connector, string? merchant, long? since, CancellationToken cancellationToken, int bufferSize = 2048)
    {
        var socket = await connector.ConnectAsync(cancellationToken);
        try
        {
            await socket.SendAsync(BenchFrames.SubscriberHello(merchant, since), WebSocketMessageType.Text, endOfMessage: true, cancellationToken);
            var buffer = new byte[1024];
            var (type, length) = await BenchFrames.ReceiveMessageAsync(socket, buffer, cancellationToken);
            if (type != WebSocketMessageType.Text || !buffer.AsSpan(0, length).StartsWith("{\"type\":\"welcome\""u8))
            {
                throw new InvalidOperationException("Expected welcome, got " + System.Text.Encoding.UTF8.GetString(buffer, 0, length));
            }

            return new BenchSubscriber(socket, BenchFrames.ReadSeq(buffer.AsSpan(0, length)), bufferSize);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>Reads until the connection ends; orders are counted, anything else is a failure.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        try
        {
            while (true)
            {
                var (type, length) = await BenchFrames.ReceiveMessageAsync(_socket, _buffer, cancellationToken);
                if (type == WebSocketMessageType.Close)
                {
                    Failure ??= $"closed by the server ({_socket.CloseStatus} {_socket.CloseStatusDescription})";
                    return;
                }

                var frame = _buffer.AsSpan(0, length);
                if (!BenchFrames.IsOrder(frame))
                {
                    Failure ??= "unexpected frame: " + System.Text.Encoding.UTF8.GetString(frame);
                    continue;
                }

                if (Latencies is { } latencies)
                {
                    latencies.Record(Stopwatch.GetTimestamp() - BenchFrames.ReadSentAt(frame));
                }

                Volatile.Write(ref _lastSeq, BenchFrames.ReadSeq(frame));
                Volatile.Write(ref _received, _received + 1);
            }
        }
        catch (OperationCanceledException)
        {
            // The run is over.
        }
        catch (Exception ex) when (ex is WebSocketException or IOException or ObjectDisposedException)
        {
            Failure ??= ex.Message;
        }
    }

    /// <summary>Waits with a zero-byte receive, holding no buffer, as an idle browser tab would; answers pings meanwhile.</summary>
    public async Task IdleAsync(CancellationToken cancellationToken)
    {
        try
        {
            var result = await _socket.ReceiveAsync(Memory<byte>.Empty, cancellationToken);
            Failure ??= result.MessageType == WebSocketMessageType.Close ? "closed by the server" : null;
        }
        catch (OperationCanceledException)
        {
            // The run is over.
        }
        catch (Exception ex) when (ex is WebSocketException or IOException or ObjectDisposedException)
        {
            Failure ??= ex.Message;
        }
    }

    /// <summary>Drops the connection without a close handshake, like a tab closed or a network gone.</summary>
    public void Dispose()
    {
        _socket.Abort();
        _socket.Dispose();
    }
}
