using Microsoft.Extensions.Logging;
using OrderRelay.Storage;

namespace OrderRelay.Core;

/// <summary>Fans out what a shared store committed, whichever node published it, in the store's order.</summary>
internal sealed partial class FeedFollower(IOrderFeed feed, FanOut fanOut, ILogger logger)
{
    private readonly CancellationTokenSource _stopping = new();
    private Task _following = Task.CompletedTask;

    public void Start(long afterSeq) => _following = Task.Run(() => FollowAsync(afterSeq), CancellationToken.None);

    public async Task StopAsync()
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
        await _following.ConfigureAwait(false);
    }

    private async Task FollowAsync(long afterSeq)
    {
        var overflowed = new List<Subscriber>();
        try
        {
            await foreach (var step in feed.FollowAsync(afterSeq, _stopping.Token).ConfigureAwait(false))
            {
                if (step.EpochChange is { } change)
                {
                    StartEpoch(change);
                    continue;
                }

                // Encoded before the fan-out lock is taken.
                fanOut.Deliver(OrderRecord.Create(step.Order!.Value), overflowed);
            }
        }
        catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
        {
            // The relay is stopping.
        }
    }

    /// <summary>
    /// The shared journal restarted under a new epoch: seqs start again from 1, and every
    /// subscriber of the old epoch is told (and closed by its connection), so that it comes
    /// back, is welcomed with the new epoch and <c>recovered:false</c>, and reloads.
    /// </summary>
    private void StartEpoch(EpochChange change)
    {
        var oldEpoch = fanOut.Epoch;
        var ended = fanOut.StartSequence(change.NewEpoch, lastSeq: 0);
        LogEpochChanged(logger, oldEpoch, change.NewEpoch, change.LastSeqSeen, ended.Count);
        foreach (var subscriber in ended)
        {
            subscriber.EndEpoch();
        }
    }

    [LoggerMessage(EventId = 103, Level = LogLevel.Error,
        Message = "The order journal lost orders and restarted: epoch {OldEpoch} ended after seq {LastSeqSeen}, epoch {NewEpoch} begins at seq 1; {Subscribers} subscribers told to reload")]
    private static partial void LogEpochChanged(ILogger logger, string oldEpoch, string newEpoch, long lastSeqSeen, int subscribers);
}
