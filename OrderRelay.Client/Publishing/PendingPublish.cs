using OrderRelay.Client.Wire;

namespace OrderRelay.Client;

/// <summary>
/// One publish from the caller's call until its answer. It holds a slot of the in-flight window
/// until it ends (answered, failed, or given up by its caller before it was sent); the state
/// machine makes sure the slot is returned exactly once.
/// </summary>
internal sealed class PendingPublish(string id, ReadOnlyMemory<byte> order, Action releaseSlot)
{
    private const int Queued = 0;
    private const int Claimed = 1;
    private const int Ended = 2;

    private readonly TaskCompletionSource<PublishReceipt> _answer = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private byte[]? _frame;
    private int _state;

    public string Id => id;

    public ReadOnlyMemory<byte> Order => order;

    public byte[] Frame => _frame ??= PublishFrame.Encode(id, order);

    public Task<PublishReceipt> Answer => _answer.Task;

    /// <summary>Takes it for sending; false when it has ended (its caller gave up before it was sent).</summary>
    public bool TryClaim() => Interlocked.CompareExchange(ref _state, Claimed, Queued) == Queued;

    /// <summary>Sent but unanswered when the connection dropped: it waits again, to be sent again with the same id.</summary>
    public void Unclaim() => Interlocked.CompareExchange(ref _state, Queued, Claimed);

    /// <summary>The caller stopped waiting: if it was not sent yet, it never will be.</summary>
    public void Abandon()
    {
        if (Interlocked.CompareExchange(ref _state, Ended, Queued) == Queued)
        {
            _answer.TrySetCanceled();
            releaseSlot();
        }
    }

    public void Complete(PublishReceipt receipt) => End(() => _answer.TrySetResult(receipt));

    public void Fail(Exception exception) => End(() => _answer.TrySetException(exception));

    private void End(Action setAnswer)
    {
        if (Interlocked.Exchange(ref _state, Ended) != Ended)
        {
            setAnswer();
            releaseSlot();
        }
    }
}
