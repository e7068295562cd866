using OrderRelay.Core;
using OrderRelay.Protocol;
using OrderRelay.Tests.Support;

namespace OrderRelay.Tests.Core;

[CancelAfter(10_000)]
public sealed class OutboundQueueTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(5);

    [Test]
    public async Task Full_RefusesWithoutWaiting_AndReportsOverflowOnce()
    {
        var overflows = 0;
        var reported = new TaskCompletionSource();
        var queue = new OutboundQueue(2, () =>
        {
            Interlocked.Increment(ref overflows);
            reported.TrySetResult();
        });

        Assert.That(queue.TryEnqueue(Frame(1)), Is.True);
        Assert.That(queue.TryEnqueue(Frame(2)), Is.True);
        Assert.That(queue.FreeSpace, Is.Zero);
        Assert.That(queue.TryEnqueue(Frame(3)), Is.False);
        Assert.That(queue.TryEnqueue(Frame(4)), Is.False);

        await reported.Task.WaitAsync(Wait);
        Assert.That(overflows, Is.EqualTo(1), "a slow consumer is reported once, however many frames it misses");
        Assert.That(ReadAll(queue).Select(Byte), Is.EqualTo(new[] { 1, 2 }), "the frames queued before the overflow stay, in order");
    }

    [Test]
    public async Task Completed_TakesFramesAsMoot_AndTheDrainEndsAfterWhatWasQueued()
    {
        var reader = new QueueReader(4);
        reader.Queue.TryEnqueue(Frame(1));

        reader.Queue.Complete();

        Assert.That(reader.Queue.TryEnqueue(Frame(2)), Is.True, "a closing connection's queue does not count as overflowing");
        Assert.That(Byte(await reader.ReadAsync().WaitAsync(Wait)), Is.EqualTo(1));
        Assert.That(await reader.WaitToReadAsync().WaitAsync(Wait), Is.False);
        Assert.That(reader.Queue.EndDrain(), Is.EqualTo(DrainEnd.Completed), "told again, never idle: nothing may schedule another drain");
    }

    [Test]
    public async Task Drain_IsScheduledOncePerIdleSpell_AndFramesComeOutInOrder()
    {
        var drains = new CountingDrain();
        var queue = new OutboundQueue(16, drain: drains);

        queue.TryEnqueue(Frame(1));
        queue.TryEnqueue(Frame(2));
        await drains.Scheduled.WaitAsync(Wait);
        queue.TryEnqueue(Frame(3));

        Assert.That(ReadAll(queue).Select(Byte), Is.EqualTo(new[] { 1, 2, 3 }));
        Assert.That(drains.Count, Is.EqualTo(1), "frames that find a drain scheduled do not schedule another");
        Assert.That(queue.EndDrain(), Is.EqualTo(DrainEnd.Idle));

        queue.TryEnqueue(Frame(4));
        await drains.Scheduled.WaitAsync(Wait);
        Assert.That(drains.Count, Is.EqualTo(2), "the first frame after an idle spell schedules a new drain");

        queue.TryEnqueue(Frame(5));
        Assert.That(queue.TryDequeue(out _), Is.True);
        queue.TryEnqueue(Frame(6));
        Assert.That(queue.TryDequeue(out _), Is.True);
        Assert.That(queue.TryDequeue(out _), Is.True);
        Assert.That(queue.EndDrain(), Is.EqualTo(DrainEnd.Idle));
        queue.TryEnqueue(Frame(7));
        queue.Complete();
        await drains.Scheduled.WaitAsync(Wait);
        Assert.That(ReadAll(queue).Select(Byte), Is.EqualTo(new[] { 7 }));
        Assert.That(queue.EndDrain(), Is.EqualTo(DrainEnd.Completed));
        Assert.That(drains.Count, Is.EqualTo(3));
    }

    [Test]
    public void Ring_GrowsPastItsFirstSizeUpToTheCapacity_KeepingOrderAcrossTheWrap()
    {
        var queue = new OutboundQueue(10);
        for (byte i = 1; i <= 3; i++)
        {
            queue.TryEnqueue(Frame(i));
        }

        queue.TryDequeue(out _);
        for (byte i = 4; i <= 11; i++)
        {
            Assert.That(queue.TryEnqueue(Frame(i)), Is.True);
        }

        Assert.That(queue.TryEnqueue(Frame(12)), Is.False);
        Assert.That(ReadAll(queue).Select(Byte), Is.EqualTo(Enumerable.Range(2, 10)));
    }

    [Test]
    public async Task EnqueueAsync_WaitsForRoom_AndGoesInOnceTheReaderTakesOne()
    {
        var queue = new OutboundQueue(1);
        queue.TryEnqueue(Frame(1));

        var waiting = queue.EnqueueAsync(Frame(2), CancellationToken.None).AsTask();
        Assert.That(waiting.IsCompleted, Is.False);

        Assert.That(queue.TryDequeue(out var first), Is.True);
        Assert.That(await waiting.WaitAsync(Wait), Is.True);
        Assert.That(Byte(first!), Is.EqualTo(1));
        Assert.That(ReadAll(queue).Select(Byte), Is.EqualTo(new[] { 2 }));
    }

    [Test]
    public async Task EnqueueAsync_OnAQueueCompletedWhileWaiting_ReturnsFalse()
    {
        var queue = new OutboundQueue(1);
        queue.TryEnqueue(Frame(1));
        var waiting = queue.EnqueueAsync(Frame(2), CancellationToken.None).AsTask();

        queue.Complete();

        Assert.That(await waiting.WaitAsync(Wait), Is.False);
        Assert.That(await queue.WaitForRoomAsync(CancellationToken.None).AsTask().WaitAsync(Wait), Is.False);
    }

    /// <summary>Counts how often the queue schedules a drain; the test itself takes the frames.</summary>
    private sealed class CountingDrain : IThreadPoolWorkItem
    {
        private int _count;

        public SemaphoreSlim Scheduled { get; } = new(0);

        public int Count => Volatile.Read(ref _count);

        void IThreadPoolWorkItem.Execute()
        {
            Interlocked.Increment(ref _count);
            Scheduled.Release();
        }
    }

    private static ControlFrame Frame(byte value) => new(new[] { value });

    private static int Byte(OutboundFrame frame) => ((ControlFrame)frame).Bytes.Span[0];

    private static List<OutboundFrame> ReadAll(OutboundQueue queue)
    {
        var frames = new List<OutboundFrame>();
        while (queue.TryDequeue(out var frame))
        {
            frames.Add(frame);
        }

        return frames;
    }
}
