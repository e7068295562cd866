using OrderRelay.Diagnostics;
using OrderRelay.Storage;

namespace OrderRelay.Core;

/// <summary>
/// Brings a (re)connecting subscriber up to date: decides where it starts, pages what it
/// missed from the store, and hands it to live fan-out with no gap and no duplicate.
/// </summary>
internal sealed class SubscriberCatchUp(IOrderStore store, FanOut fanOut, RelayMetrics metrics)
{
    private const int ReplayPageSize = 256;

    /// <summary>
    /// Decides where a subscriber starts: after <paramref name="since"/> when it is still
    /// replayable, from the oldest kept order when the client's position means nothing here.
    /// </summary>
    public SubscriptionStart Plan(long? since, string? clientEpoch)
    {
        var newest = fanOut.LastSeq;
        if (since is not { } seen)
        {
            return new SubscriptionStart(newest, Recovered: true, ReplayAfterSeq: newest, IsResume: false);
        }

        var sameSequence = (clientEpoch is null || clientEpoch == fanOut.Epoch) && seen <= newest;
        if (!sameSequence)
        {
            return new SubscriptionStart(newest, Recovered: false, ReplayAfterSeq: 0, IsResume: true);
        }

        var recovered = seen + 1 >= store.FirstRetainedSeq;
        return new SubscriptionStart(newest, recovered, ReplayAfterSeq: seen, IsResume: true);
    }

    /// <summary>
    /// Queues for <paramref name="subscriber"/> every order after <paramref name="afterSeq"/> it may
    /// see, paging from the store, then takes it live in the same step as the last of them, so
    /// that the seam between the two has no gap and no duplicate.
    /// </summary>
    public async Task CatchUpAndGoLiveAsync(Subscriber subscriber, long afterSeq, bool isResume, CancellationToken cancellationToken)
    {
        var cursor = afterSeq;
        var seam = new List<OrderRecord>();
        while (true)
        {
            switch (fanOut.TryGoLive(subscriber, cursor, seam))
            {
                case GoLiveOutcome.Live:
                    CountReplayed(seam.Count, isResume);
                    return;
                case GoLiveOutcome.EpochEnded:
                    subscriber.EndEpoch();
                    return;
            }

            // Orders already stored but not yet fanned out are left to the seam step, which
            // sees them in the recent ring once fan-out has happened.
            var fannedOutThrough = fanOut.LastSeq;
            var page = await store.ReadAfterAsync(cursor, subscriber.Filter, ReplayPageSize, cancellationToken).ConfigureAwait(false);
            var replayed = 0;
            foreach (var stored in page.Orders)
            {
                if (stored.Seq > fannedOutThrough)
                {
                    break;
                }

                if (!await subscriber.Queue.EnqueueAsync(OrderRecord.Create(stored), cancellationToken).ConfigureAwait(false))
                {
                    return;
                }

                replayed++;
            }

            CountReplayed(replayed, isResume);
            if (replayed == 0 && !await subscriber.Queue.WaitForRoomAsync(cancellationToken).ConfigureAwait(false))
            {
                // Nothing to page in: the seam is waiting for room in the queue, or the connection is gone.
                return;
            }

            var next = Math.Min(page.ScannedThroughSeq, fannedOutThrough);
            // Nothing kept after the cursor although the ring has moved past it: those orders
            // were pruned, and the ring's floor is the first place left to continue from.
            cursor = next > cursor ? next : Math.Max(cursor, fanOut.FloorOfRecent);
        }
    }

    /// <summary>Only resumes count: a fresh subscriber's first orders are not a recovery.</summary>
    private void CountReplayed(int count, bool isResume)
    {
        if (isResume)
        {
            metrics.ReplayedOrders.Inc(count);
        }
    }
}
