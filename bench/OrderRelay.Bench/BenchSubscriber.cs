using System.Buffers;
using System.Diagnostics;
using System.Net.WebSockets;
using System.Runtime.CompilerServices;

namespace OrderRelay.Bench;

/// <summary>
/// One subscriber connection: says hello, then counts order frames and, when asked, records
/// each one's publish-to-receive latency. Its counters are its own (no shared writes per
/// delivery); readers sum them.
/// </summary>
/// <remarks>
/// A subscriber is either a stream, which keeps a buffer and reads ahead because deliveries
/// keep coming, or a merchant page, which waits with a zero-byte receive and borrows a buffer
/// only while a message is read. Twenty thousand pages holding 18 KiB each would give the load
/// generator a 460 MB heap whose collections pause it for over 100 ms, longer than the relay's
/// own, and the bench would measure its own pauses. A page costs the load generator three
/// receive calls per message where a stream costs a fraction of one, so scenarios whose pages
/// take thousands of orders a second (merchants) keep streams.
/// </remarks>
internal sealed class BenchSubscriber : IDisposable
{
    private const int MessageBufferSize = 2048;
    private readonly WebSocket _socket;
    private readonly byte[]? _streamBuffer;
    private long _received;
    private long _lastSeq;

    private BenchSubscriber(WebSocket socket, long welcomeSeq, byte[]? streamBuffer)
    {
        _socket = socket;
        _streamBuffer = streamBuffer;
        _lastSeq = welcomeSeq;
    }

    public long Received => Volatile.Read(ref _received);

    public long LastSeq => Volatile.Read(ref _lastSeq);

    /// <summary>Set when the server closed or failed the connection; a healthy run has none.</summary>
    public string? Failure { get; private set; }

    /// <summary>Where latencies go while a run measures them; null records nothing.</summary>
    public LatencyRecorder? Latencies { get; set; }

    /// <param name="page">A merchant page (see the remarks) rather than a stream.</param>
    public static async Task<BenchSubscriber> ConnectAsync(WsConnector connector, string? merchant, long? since, CancellationToken cancellationToken, bool page = false)
    {
        var socket = await connector.ConnectAsync(cancellationToken, readAhead: !page);
        try
        {
            await socket.SendAsync(BenchFrames.SubscriberHello(merchant, since), WebSocketMessageType.Text, endOfMessage: true, cancellationToken);
            var buffer = new byte[1024];
            var (type, length) = await BenchFrames.ReceiveMessageAsync(socket, buffer, cancellationToken);
            if (type != WebSocketMessageType.Text || !buffer.AsSpan(0, length).StartsWith("{\"type\":\"welcome\""u8))
            {
                throw new InvalidOperationException("Expected welcome, got " + System.Text.Encoding.UTF8.GetString(buffer, 0, length));
            }

            return new BenchSubscriber(socket, BenchFrames.ReadSeq(buffer.AsSpan(0, length)), page ? null : new byte[MessageBufferSize]);
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
            while (await ReceiveOneAsync(cancellationToken))
            {
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

    /// <summary>Receives and counts one message; false once the server has closed.</summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<bool> ReceiveOneAsync(CancellationToken cancellationToken)
    {
        if (_streamBuffer is null && (await _socket.ReceiveAsync(Memory<byte>.Empty, cancellationToken)).MessageType == WebSocketMessageType.Close)
        {
            return ClosedByServer();
        }

        var buffer = _streamBuffer ?? ArrayPool<byte>.Shared.Rent(MessageBufferSize);
        try
        {
            var (type, length) = await BenchFrames.ReceiveMessageAsync(_socket, buffer, cancellationToken);
            if (type == WebSocketMessageType.Close)
            {
                return ClosedByServer();
            }

            Count(buffer.AsSpan(0, length));
            return true;
        }
        finally
        {
            if (_streamBuffer is null)
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }
        }
    }

    private bool ClosedByServer()
    {
        Failure ??= $"closed by the server ({_socket.CloseStatus} {_socket.CloseStatusDescription})";
        return false;
    }

    private void Count(ReadOnlySpan<byte> frame)
    {
        if (!BenchFrames.IsOrder(frame))
        {
            Failure ??= "unexpected frame: " + System.Text.Encoding.UTF8.GetString(frame);
            return;
        }

        if (Latencies is { } latencies)
        {
            latencies.Record(Stopwatch.GetTimestamp() - BenchFrames.ReadSentAt(frame));
        }

        Volatile.Write(ref _lastSeq, BenchFrames.ReadSeq(frame));
        Volatile.Write(ref _received, _received + 1);
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
