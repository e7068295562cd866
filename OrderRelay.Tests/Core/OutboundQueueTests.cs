using OrderRelay.Core;

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
    public void Completed_TakesFramesAsMoot_AndTheReaderEndsAfterWhatWasQueued()
    {
        var queue = new OutboundQueue(4);
        queue.TryEnqueue(Frame(1));

        queue.Complete();

        Assert.That(queue.TryEnqueue(Frame(2)), Is.True, "a closing connection's queue does not count as overflowing");
        Assert.That(ReadAll(queue).Select(Byte), Is.EqualTo(new[] { 1 }));
        Assert.That(queue.Reader.Completion.IsCompleted, Is.True);
    }

    [Test]
    public async Task EnqueueAsync_WaitsForRoom_AndGoesInOnceTheReaderTakesOne()
    {
        var queue = new OutboundQueue(1);
        queue.TryEnqueue(Frame(1));

        var waiting = queue.EnqueueAsync(Frame(2), CancellationToken.None).AsTask();
        Assert.That(waiting.IsCompleted, Is.False);

        Assert.That(queue.Reader.TryRead(out var first), Is.True);
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

    private static ControlFrame Frame(byte value) => new(new[] { value });

    private static int Byte(OutboundFrame frame) => ((ControlFrame)frame).Bytes.Span[0];

    private static List<OutboundFrame> ReadAll(OutboundQueue queue)
    {
        var frames = new List<OutboundFrame>();
        while (queue.Reader.TryRead(out var frame))
        {
            frames.Add(frame);
        }

        return frames;
    }
}
