using System.Diagnostics;
using System.Net.WebSockets;

namespace OrderRelay.Bench;

/// <summary>
/// One publisher connection that pipelines publishes: at most <c>window</c> await their ack,
/// and every ack (in order, as the protocol promises) frees a slot. Any other answer (an
/// error such as <c>rate_limited</c>, or a close) ends the run with that answer as its failure:
/// a publish that is never acked would otherwise hold its slot, and the run, until cancelled.
/// </summary>
internal sealed class BenchPublisher : IDisposable
{
    private readonly WebSocket _socket;
    private readonly SemaphoreSlim _window;
    private readonly byte[] _sendBuffer = new byte[4096];
    private readonly byte[] _receiveBuffer = new byte[4096];
    private readonly string _idPrefix = "b-" + Guid.NewGuid().ToString("N")[..8] + "-";
    private long _published;
    private long _acked;
    private Task _acks = Task.CompletedTask;

    private BenchPublisher(WebSocket socket, int window)
    {
        _socket = socket;
        _window = new SemaphoreSlim(window, window);
    }

    public long Published => Volatile.Read(ref _published);

    public long Acked => Volatile.Read(ref _acked);

    public long LastAckedSeq { get; private set; }

    public string? Failure { get; private set; }

    public static async Task<BenchPublisher> ConnectAsync(WsConnector connector, int window, CancellationToken cancellationToken)
    {
        var socket = await connector.ConnectAsync(cancellationToken);
        await socket.SendAsync(BenchFrames.PublisherHello, WebSocketMessageType.Text, endOfMessage: true, cancellationToken);
        var publisher = new BenchPublisher(socket, window);
        var (_, length) = await BenchFrames.ReceiveMessageAsync(socket, publisher._receiveBuffer, cancellationToken);
        if (!publisher._receiveBuffer.AsSpan(0, length).StartsWith("{\"type\":\"welcome\""u8))
        {
            socket.Dispose();
            throw new InvalidOperationException("The publisher got no welcome.");
        }

        publisher._acks = publisher.ReadAcksAsync();
        return publisher;
    }

    /// <summary>Sends one order for <paramref name="merchant"/>, first waiting for a free slot in the ack window.</summary>
    /// <param name="sentAt">The Stopwatch time the order counts as sent; now when omitted.</param>
    public async ValueTask PublishAsync(string merchant, CancellationToken cancellationToken, long? sentAt = null)
    {
        var slot = _window.WaitAsync(cancellationToken);
        if (!slot.IsCompleted && await Task.WhenAny(slot, _acks) != slot)
        {
            throw new BenchRunFailedException("publisher: " + Failure);
        }

        await slot;
        var number = Interlocked.Increment(ref _published);
        var length = BenchFrames.WritePublish(_sendBuffer, _idPrefix, number, merchant, sentAt ?? Stopwatch.GetTimestamp());
        await _socket.SendAsync(_sendBuffer.AsMemory(0, length), WebSocketMessageType.Text, endOfMessage: true, cancellationToken);
    }

    /// <summary>Completes once every order sent so far is acknowledged, or fails after <paramref name="limit"/>.</summary>
    public async Task WaitForAcksAsync(TimeSpan limit)
    {
        var deadline = Stopwatch.GetTimestamp() + (long)(limit.TotalSeconds * Stopwatch.Frequency);
        while (Acked < Published)
        {
            if (Stopwatch.GetTimestamp() > deadline || _acks.IsCompleted)
            {
                throw new TimeoutException($"{Published - Acked} publishes unacknowledged: {Failure}");
            }

            await Task.Delay(1);
        }
    }

    private async Task ReadAcksAsync()
    {
        try
        {
            while (true)
            {
                var (type, length) = await BenchFrames.ReceiveMessageAsync(_socket, _receiveBuffer, CancellationToken.None);
                if (type == WebSocketMessageType.Close)
                {
                    Failure ??= "closed by the server";
                    return;
                }

                var frame = _receiveBuffer.AsSpan(0, length);
                if (!BenchFrames.IsAck(frame))
                {
                    Failure ??= "unexpected frame: " + System.Text.Encoding.UTF8.GetString(frame);
                    return;
                }

                LastAckedSeq = BenchFrames.ReadSeq(frame);
                Interlocked.Increment(ref _acked);
                _window.Release();
            }
        }
        catch (Exception ex) when (ex is WebSocketException or IOException or ObjectDisposedException)
        {
            Failure ??= ex.Message;
        }
    }

    public void Dispose()
    {
        _socket.Abort();
        _socket.Dispose();
        _window.Dispose();
    }
}
