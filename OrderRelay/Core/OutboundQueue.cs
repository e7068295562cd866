using OrderRelay.Protocol;

namespace OrderRelay.Core;

/// <summary>
/// A connection's bounded outgoing queue. Fan-out never waits on it: a full queue marks the
/// subscriber as a slow consumer. Nothing waits on an empty queue either: the frame that finds
/// it idle schedules one drain on the thread pool, which sends until the queue is empty again.
/// An idle page therefore holds no suspended send loop and no channel waiters, only this object.
/// </summary>
internal sealed class OutboundQueue
{
    private const int FirstRingSize = 4;

    private readonly Lock _gate = new();
    private readonly Action? _overflowed;
    private readonly IThreadPoolWorkItem? _drain;
    private OutboundFrame?[] _ring = [];
    private int _head;
    private int _count;
    private bool _completed;
    private bool _draining;
    private bool _overflowReported;
    private TaskCompletionSource<bool>? _room;

    /// <param name="capacity">Frames the queue holds at most.</param>
    /// <param name="overflowed">
    /// Called once, on the thread pool, when a non-waiting write first finds the queue full. A
    /// plain callback rather than a task with a continuation: every idle connection holds one.
    /// </param>
    /// <param name="drain">
    /// Queued to the thread pool when a frame arrives at an idle queue, or the queue completes:
    /// it takes frames with <see cref="TryDequeue"/> until <see cref="EndDrain"/> says to stop.
    /// At most one drain is scheduled or running at a time, so frames are sent in queue order.
    /// </param>
    public OutboundQueue(int capacity, Action? overflowed = null, IThreadPoolWorkItem? drain = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        Capacity = capacity;
        _overflowed = overflowed;
        _drain = drain;
    }

    public int Capacity { get; }

    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _count;
            }
        }
    }

    public int FreeSpace => Capacity - Count;

    /// <summary>
    /// Queues without waiting; false (and the overflow callback scheduled) when the queue is
    /// full. A queue already completed takes the frame as moot: its connection is closing.
    /// </summary>
    public bool TryEnqueue(OutboundFrame frame)
    {
        bool added;
        bool startDrain = false;
        bool firstOverflow = false;
        lock (_gate)
        {
            if (_completed)
            {
                return true;
            }

            added = _count < Capacity;
            if (added)
            {
                Add(frame);
                startDrain = BeginDrain();
            }
            else
            {
                firstOverflow = !_overflowReported;
                _overflowReported = true;
            }
        }

        if (added)
        {
            ScheduleDrain(startDrain);
        }
        else if (firstOverflow && _overflowed is { } overflowed)
        {
            // Fan-out calls this under the relay's lock, which the callback must not run under.
            ThreadPool.UnsafeQueueUserWorkItem(static callback => callback(), overflowed, preferLocal: false);
        }

        return added;
    }

    /// <summary>Queues, waiting for room; for paths that may be slowed by this connection alone. False once the queue is completed.</summary>
    public async ValueTask<bool> EnqueueAsync(OutboundFrame frame, CancellationToken cancellationToken)
    {
        while (true)
        {
            Task<bool> room;
            bool startDrain;
            lock (_gate)
            {
                if (_completed)
                {
                    return false;
                }

                if (_count < Capacity)
                {
                    Add(frame);
                    startDrain = BeginDrain();
                    room = null!;
                }
                else
                {
                    room = WaitForRoomLocked();
                    startDrain = false;
                }
            }

            if (room is null)
            {
                ScheduleDrain(startDrain);
                return true;
            }

            await room.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Waits until the queue has room; false once it no longer takes frames.</summary>
    public ValueTask<bool> WaitForRoomAsync(CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            if (_completed || _count < Capacity)
            {
                return ValueTask.FromResult(!_completed);
            }

            return new ValueTask<bool>(WaitForRoomLocked().WaitAsync(cancellationToken));
        }
    }

    /// <summary>The drain's next frame, oldest first.</summary>
    public bool TryDequeue(out OutboundFrame frame)
    {
        TaskCompletionSource<bool>? room = null;
        lock (_gate)
        {
            if (_count == 0)
            {
                frame = null!;
                return false;
            }

            frame = _ring[_head]!;
            _ring[_head] = null;
            _head = (_head + 1) % _ring.Length;
            _count--;
            if (_room is not null)
            {
                (room, _room) = (_room, null);
            }
        }

        room?.TrySetResult(true);
        return true;
    }

    /// <summary>
    /// Called by the drain when <see cref="TryDequeue"/> finds nothing: <see cref="DrainEnd.More"/>
    /// if frames arrived meanwhile, <see cref="DrainEnd.Idle"/> when the next frame will schedule a
    /// new drain, <see cref="DrainEnd.Completed"/> (once) when no frame will come again.
    /// </summary>
    public DrainEnd EndDrain()
    {
        lock (_gate)
        {
            if (_count > 0)
            {
                return DrainEnd.More;
            }

            if (_completed)
            {
                // The drain stays marked as running, so nothing ever schedules another.
                return DrainEnd.Completed;
            }

            _draining = false;
            return DrainEnd.Idle;
        }
    }

    /// <summary>No more frames will be accepted; the drain sends what is queued, then learns it is completed.</summary>
    public void Complete()
    {
        bool startDrain;
        TaskCompletionSource<bool>? room;
        lock (_gate)
        {
            if (_completed)
            {
                return;
            }

            _completed = true;
            (room, _room) = (_room, null);
            startDrain = BeginDrain();
        }

        room?.TrySetResult(false);
        ScheduleDrain(startDrain);
    }

    private void Add(OutboundFrame frame)
    {
        if (_count == _ring.Length)
        {
            Grow();
        }

        _ring[(_head + _count) % _ring.Length] = frame;
        _count++;
    }

    /// <summary>Rings start small and grow to the capacity only for a connection that falls behind.</summary>
    private void Grow()
    {
        var grown = new OutboundFrame?[Math.Min(Capacity, Math.Max(FirstRingSize, _ring.Length * 2))];
        for (var i = 0; i < _count; i++)
        {
            grown[i] = _ring[(_head + i) % _ring.Length];
        }

        _ring = grown;
        _head = 0;
    }

    private bool BeginDrain()
    {
        if (_draining)
        {
            return false;
        }

        _draining = true;
        return true;
    }

    private Task<bool> WaitForRoomLocked() =>
        (_room ??= new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously)).Task;

    private void ScheduleDrain(bool startDrain)
    {
        if (startDrain && _drain is { } drain)
        {
            ThreadPool.UnsafeQueueUserWorkItem(drain, preferLocal: false);
        }
    }
}
