using System.Threading.Channels;

namespace OrderRelay.Client;

/// <summary>
/// Publishes waiting to be sent: those sent before and left unanswered by a dropped connection
/// come first (in their original order), then new ones in the order they were submitted. Its size
/// is bounded by the in-flight window, since every entry holds a slot.
/// </summary>
internal sealed class PublishQueue
{
    private readonly Channel<PendingPublish> _submitted = Channel.CreateUnbounded<PendingPublish>(new UnboundedChannelOptions { SingleReader = true });
    private readonly LinkedList<PendingPublish> _resend = new();

    public bool TryAdd(PendingPublish publish) => _submitted.Writer.TryWrite(publish);

    /// <summary>No more submissions: <see cref="TakeAsync"/> returns null once the rest is taken.</summary>
    public void Complete() => _submitted.Writer.TryComplete();

    /// <summary>The next publish to send, claimed; null when the queue is complete and empty.</summary>
    public async ValueTask<PendingPublish?> TakeAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            if (TryTake() is { } next)
            {
                return next;
            }

            if (!await _submitted.Reader.WaitToReadAsync(cancellationToken).ConfigureAwait(false))
            {
                return TryTake();
            }
        }
    }

    public PendingPublish? TryTake()
    {
        lock (_resend)
        {
            while (_resend.First is { } first)
            {
                _resend.RemoveFirst();
                if (first.Value.TryClaim())
                {
                    return first.Value;
                }
            }
        }

        while (_submitted.Reader.TryRead(out var submitted))
        {
            if (submitted.TryClaim())
            {
                return submitted;
            }
        }

        return null;
    }

    /// <summary>Waits until there is something to send; false when the queue is complete and empty.</summary>
    public async ValueTask<bool> WaitForWorkAsync(CancellationToken cancellationToken)
    {
        lock (_resend)
        {
            if (_resend.Count > 0)
            {
                return true;
            }
        }

        return await _submitted.Reader.WaitToReadAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Puts publishes that were sent but not answered back in front, oldest first, to be sent again with their ids.</summary>
    public void ReturnUnanswered(IReadOnlyList<PendingPublish> unanswered)
    {
        lock (_resend)
        {
            for (var i = unanswered.Count - 1; i >= 0; i--)
            {
                unanswered[i].Unclaim();
                _resend.AddFirst(unanswered[i]);
            }
        }
    }

    public int ResendCount
    {
        get
        {
            lock (_resend)
            {
                return _resend.Count;
            }
        }
    }

    /// <summary>Ends every waiting publish with <paramref name="exception"/>.</summary>
    public void FailAll(Exception exception)
    {
        Complete();
        lock (_resend)
        {
            foreach (var publish in _resend)
            {
                publish.Fail(exception);
            }

            _resend.Clear();
        }

        while (_submitted.Reader.TryRead(out var submitted))
        {
            submitted.Fail(exception);
        }
    }
}
