using OrderRelay.Core;
using OrderRelay.Protocol;

namespace OrderRelay.Tests.Support;

/// <summary>
/// Takes frames from an <see cref="OutboundQueue"/> the way a connection's drain does, for
/// tests of the core without sockets: scheduled by the queue, ending each drain with <see cref="OutboundQueue.EndDrain"/>.
/// </summary>
internal sealed class QueueReader : IThreadPoolWorkItem
{
    private readonly SemaphoreSlim _scheduled = new(0);

    public QueueReader(int capacity, Action? overflowed = null) => Queue = new OutboundQueue(capacity, overflowed, this);

    public OutboundQueue Queue { get; }

    void IThreadPoolWorkItem.Execute() => _scheduled.Release();

    public bool TryRead(out OutboundFrame frame) => Queue.TryDequeue(out frame);

    /// <summary>True when a frame can be read; false once the queue is completed and empty.</summary>
    public async Task<bool> WaitToReadAsync(CancellationToken cancellationToken = default)
    {
        while (Queue.Count == 0)
        {
            switch (Queue.EndDrain())
            {
                case DrainEnd.Completed:
                    return false;
                case DrainEnd.Idle:
                    await _scheduled.WaitAsync(cancellationToken);
                    break;
            }
        }

        return true;
    }

    public async Task<OutboundFrame> ReadAsync(CancellationToken cancellationToken = default)
    {
        while (true)
        {
            if (Queue.TryDequeue(out var frame))
            {
                return frame;
            }

            if (!await WaitToReadAsync(cancellationToken))
            {
                throw new InvalidOperationException("The queue was completed with nothing left to read.");
            }
        }
    }
}
