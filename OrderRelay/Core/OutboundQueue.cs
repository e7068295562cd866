using System.Threading.Channels;

namespace OrderRelay.Core;

/// <summary>
/// A connection's bounded outgoing queue with a single reader, its send loop.
/// Fan-out never waits on it: a full queue marks the subscriber as a slow consumer.
/// </summary>
internal sealed class OutboundQueue
{
    private readonly Channel<OutboundFrame> _channel;
    private readonly Action? _overflowed;
    private volatile bool _completed;
    private int _overflowReported;

    /// <param name="overflowed">
    /// Called once, on the thread pool, when a non-waiting write first finds the queue full. A
    /// plain callback rather than a task with a continuation: every idle connection holds one.
    /// </param>
    public OutboundQueue(int capacity, Action? overflowed = null)
    {
        Capacity = capacity;
        _overflowed = overflowed;
        _channel = Channel.CreateBounded<OutboundFrame>(new BoundedChannelOptions(capacity)
        {
            SingleReader = true,
            SingleWriter = false,
            FullMode = BoundedChannelFullMode.Wait,
        });
    }

    public int Capacity { get; }

    public ChannelReader<OutboundFrame> Reader => _channel.Reader;

    public int FreeSpace => Capacity - _channel.Reader.Count;

    /// <summary>
    /// Queues without waiting; false (and the overflow callback scheduled) when the queue is
    /// full. A queue already completed takes the frame as moot: its connection is closing.
    /// </summary>
    public bool TryEnqueue(OutboundFrame frame)
    {
        if (_channel.Writer.TryWrite(frame) || _completed)
        {
            return true;
        }

        // Fan-out calls this under the relay's lock, which the callback must not run under.
        if (_overflowed is { } overflowed && Interlocked.Exchange(ref _overflowReported, 1) == 0)
        {
            ThreadPool.UnsafeQueueUserWorkItem(static callback => callback(), overflowed, preferLocal: false);
        }

        return false;
    }

    /// <summary>Queues, waiting for room; for paths that may be slowed by this connection alone.</summary>
    public async ValueTask<bool> EnqueueAsync(OutboundFrame frame, CancellationToken cancellationToken)
    {
        while (await _channel.Writer.WaitToWriteAsync(cancellationToken).ConfigureAwait(false))
        {
            if (_channel.Writer.TryWrite(frame))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Waits until the queue has room; false once it no longer takes frames.</summary>
    public ValueTask<bool> WaitForRoomAsync(CancellationToken cancellationToken) => _channel.Writer.WaitToWriteAsync(cancellationToken);

    /// <summary>No more frames will be accepted; the send loop drains what is queued.</summary>
    public void Complete()
    {
        _completed = true;
        _channel.Writer.TryComplete();
    }
}
