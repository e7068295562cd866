using System.Diagnostics;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using OrderRelay.Configuration;
using OrderRelay.Diagnostics;
using OrderRelay.Protocol;
using OrderRelay.Storage;

namespace OrderRelay.Core;

/// <summary>
/// The relay core: sequences publishes through the store, fans each order out to the
/// subscribers entitled to it, and brings (re)connecting subscribers up to date with no
/// gap and no duplicate. Knows nothing of sockets: subscribers are queues.
/// </summary>
internal sealed partial class Relay : IAsyncDisposable
{
    private const int MaxBatchLimit = 512;
    private const int ReplayPageSize = 256;
    private const int PublishQueueLimit = 8192;

    private readonly IOrderStore _store;
    private readonly RelayMetrics _metrics;
    private readonly ILogger<Relay> _logger;
    private readonly TimeProvider _time;
    private readonly Channel<PublishRequest> _publishes;
    private readonly int _maxBatch;

    // Guards fan-out, the live subscriber sets, the recent-orders ring and the ledger,
    // so that going live and fanning out can never interleave.
    private readonly Lock _gate = new();
    private readonly LiveSubscribers _live;
    private readonly RecentOrders _recent;
    private readonly MerchantLedger _ledger;
    private readonly CancellationTokenSource _stopping = new();
    private long _lastSeq;
    private bool _refusingEscalations;
    private Task _sequencer = Task.CompletedTask;
    private Task _feed = Task.CompletedTask;

    public Relay(IOrderStore store, RelayOptions options, RelayMetrics metrics, ILogger<Relay> logger, TimeProvider time)
    {
        _store = store;
        _metrics = metrics;
        _logger = logger;
        _time = time;
        // Never more than the store keeps, so replay never offers what history no longer holds.
        _recent = new RecentOrders(Math.Min(options.SubscriberQueueLimit, Math.Min(options.HistoryLimit, options.History.MaxOrders)));
        _ledger = new MerchantLedger(options.MerchantLimit);
        _live = new LiveSubscribers(_ledger);
        // One batch is fanned out at once: it must fit twice in a subscriber's queue, or a burst
        // would drop even subscribers that keep up.
        _maxBatch = Math.Clamp(options.SubscriberQueueLimit / 2, 1, MaxBatchLimit);
        _publishes = Channel.CreateBounded<PublishRequest>(new BoundedChannelOptions(PublishQueueLimit)
        {
            SingleReader = true,
            FullMode = BoundedChannelFullMode.Wait,
        });
    }

    public string Epoch { get; private set; } = "";

    public long LastSeq => Volatile.Read(ref _lastSeq);

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var state = await _store.OpenAsync(cancellationToken).ConfigureAwait(false);
        Epoch = state.Epoch;
        lock (_gate)
        {
            _lastSeq = state.LastSeq;
            _recent.Reset(state.LastSeq);
        }

        LogJournalOpened(state.Epoch, state.LastSeq);
        _sequencer = Task.Run(RunSequencerAsync, CancellationToken.None);
        if (_store is IOrderFeed feed)
        {
            _feed = Task.Run(() => RunFeedAsync(feed, state.LastSeq), CancellationToken.None);
        }
    }

    /// <summary>Stops taking publishes and waits until every queued one is answered.</summary>
    public async Task StopAsync()
    {
        _publishes.Writer.TryComplete();
        await _sequencer.ConfigureAwait(false);
        await _stopping.CancelAsync().ConfigureAwait(false);
        await _feed.ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync() => await StopAsync().ConfigureAwait(false);

    /// <summary>
    /// Queues a publish for sequencing, waiting while the sequencer is saturated; the
    /// request's task completes once the order is stored and fanned out.
    /// </summary>
    public async ValueTask SubmitAsync(PublishRequest request, CancellationToken cancellationToken)
    {
        try
        {
            await _publishes.Writer.WriteAsync(request, cancellationToken).ConfigureAwait(false);
        }
        catch (ChannelClosedException)
        {
            throw new PublishFailedException(ErrorCodes.ServerShutdown, "The relay is shutting down.");
        }
    }

    /// <summary>
    /// Decides where a subscriber starts: after <paramref name="since"/> when it is still
    /// replayable, from the oldest kept order when the client's position means nothing here.
    /// </summary>
    public SubscriptionStart PlanSubscription(long? since, string? clientEpoch)
    {
        var newest = LastSeq;
        if (since is not { } seen)
        {
            return new SubscriptionStart(newest, Recovered: true, ReplayAfterSeq: newest, IsResume: false);
        }

        var sameSequence = (clientEpoch is null || clientEpoch == Epoch) && seen <= newest;
        if (!sameSequence)
        {
            return new SubscriptionStart(newest, Recovered: false, ReplayAfterSeq: 0, IsResume: true);
        }

        var recovered = seen + 1 >= _store.FirstRetainedSeq;
        return new SubscriptionStart(newest, recovered, ReplayAfterSeq: seen, IsResume: true);
    }

    /// <summary>
    /// Queues for <paramref name="subscriber"/> every order after <paramref name="afterSeq"/> it may
    /// see, paging from the store, then adds it to live fan-out under the fan-out lock, so
    /// that the seam between the two has no gap and no duplicate.
    /// </summary>
    public async Task CatchUpAndGoLiveAsync(Subscriber subscriber, long afterSeq, bool isResume, CancellationToken cancellationToken)
    {
        var cursor = afterSeq;
        var seam = new List<OrderRecord>();
        while (true)
        {
            var endedEpoch = false;
            lock (_gate)
            {
                seam.Clear();
                // One slot stays free for a control frame the connection may queue meanwhile. A
                // subscriber with nothing left to catch up goes live even with a full queue:
                // fan-out then deals with it as with any other.
                if (subscriber.Epoch.Length > 0 && subscriber.Epoch != Epoch)
                {
                    // Welcomed in an epoch that has since ended: what it was replayed belongs to a
                    // sequence that is not continued, so it is told rather than taken live.
                    endedEpoch = true;
                }
                else if (_recent.TryCollectAfter(cursor, subscriber.Filter, seam) && (seam.Count == 0 || seam.Count < subscriber.Queue.FreeSpace))
                {
                    foreach (var record in seam)
                    {
                        subscriber.Queue.TryEnqueue(record);
                    }

                    _live.Add(subscriber);
                    if (isResume)
                    {
                        _metrics.ReplayedOrders.Inc(seam.Count);
                    }

                    return;
                }
            }

            if (endedEpoch)
            {
                subscriber.EndEpoch();
                return;
            }

            // Orders already stored but not yet fanned out are left to the seam step, which
            // sees them in the recent ring once fan-out has happened.
            var fannedOutThrough = LastSeq;
            var page = await _store.ReadAfterAsync(cursor, subscriber.Filter, ReplayPageSize, cancellationToken).ConfigureAwait(false);
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

            if (isResume)
            {
                _metrics.ReplayedOrders.Inc(replayed);
            }

            if (replayed == 0 && !await subscriber.Queue.WaitForRoomAsync(cancellationToken).ConfigureAwait(false))
            {
                // Nothing to page in: the seam is waiting for room in the queue, or the connection is gone.
                return;
            }

            var next = Math.Min(page.ScannedThroughSeq, fannedOutThrough);
            // Nothing kept after the cursor although the ring has moved past it: those orders
            // were pruned, and the ring's floor is the first place left to continue from.
            cursor = next > cursor ? next : Math.Max(cursor, FloorOfRecent());
        }
    }

    private long FloorOfRecent()
    {
        lock (_gate)
        {
            return _recent.FloorSeq;
        }
    }

    public void Unsubscribe(Subscriber subscriber)
    {
        lock (_gate)
        {
            _live.Remove(subscriber);
        }
    }

    /// <summary>Records a subscriber's confirmation of <paramref name="seq"/>; false for a seq never assigned.</summary>
    public async ValueTask<bool> ConfirmAsync(Subscriber subscriber, long seq, CancellationToken cancellationToken)
    {
        string? merchantId;
        lock (_gate)
        {
            if (seq <= 0 || seq > _lastSeq)
            {
                return false;
            }

            merchantId = _recent.Find(seq)?.MerchantId;
        }

        if (merchantId is null && subscriber.Filter.Merchants.Count == 1)
        {
            merchantId = subscriber.Filter.Merchants.First();
        }

        if (merchantId is not null && subscriber.Filter.Allows(merchantId))
        {
            var confirmedAt = _time.GetUtcNow();
            await _store.RecordConfirmationAsync(merchantId, seq, confirmedAt, cancellationToken).ConfigureAwait(false);
            NoteConfirmed(merchantId, seq, confirmedAt);
        }

        return true;
    }

    public async ValueTask<MerchantStatus> GetMerchantStatusAsync(string merchantId, CancellationToken cancellationToken)
    {
        int online;
        long delivered;
        lock (_gate)
        {
            var activity = _ledger.Find(merchantId);
            online = activity?.Online ?? 0;
            delivered = activity?.DeliveredSeq ?? 0;
        }

        var confirmation = await _store.GetConfirmationAsync(merchantId, cancellationToken).ConfigureAwait(false);
        return new MerchantStatus(merchantId, online, delivered, confirmation?.Seq ?? 0, confirmation?.ConfirmedAt);
    }

    public ValueTask<bool> IsStoreHealthyAsync(CancellationToken cancellationToken) => _store.IsHealthyAsync(cancellationToken);

    /// <summary>
    /// The single consumer of publishes: takes whatever has queued up as one batch, lets the
    /// store decide it (one commit for the lot), fans the new orders out in seq order, then
    /// answers each publisher.
    /// </summary>
    private async Task RunSequencerAsync()
    {
        var batch = new List<PublishRequest>(_maxBatch);
        var entries = new List<JournalEntry>(_maxBatch);
        var results = new AppendResult[_maxBatch];
        var newOrders = new List<OrderRecord>(_maxBatch);
        var overflowed = new List<Subscriber>();
        var reader = _publishes.Reader;
        // An outage is logged once as it starts and once as it ends, not once per refused batch:
        // at hundreds of publishes a second the log would otherwise drown in the same stack trace.
        var refusedInOutage = 0;
        var outageStarted = 0L;
        while (await reader.WaitToReadAsync().ConfigureAwait(false))
        {
            while (batch.Count < _maxBatch && reader.TryRead(out var request))
            {
                batch.Add(request);
            }

            ToJournalEntries(batch, entries);
            var acceptedAt = _time.GetUtcNow();
            var acceptedTimestamp = Stopwatch.GetTimestamp();
            try
            {
                await _store.AppendAsync(entries, acceptedAt, results, CancellationToken.None).ConfigureAwait(false);
            }
            catch (Exception ex)
            {
                if (refusedInOutage == 0)
                {
                    outageStarted = _time.GetTimestamp();
                    LogStoreAppendFailed(ex, batch.Count);
                }

                refusedInOutage += batch.Count;
                var failure = new PublishFailedException(ErrorCodes.StoreUnavailable, "The order store could not store the order; it was not accepted.", ex);
                foreach (var request in batch)
                {
                    request.TrySetException(failure);
                }

                batch.Clear();
                entries.Clear();
                continue;
            }

            if (refusedInOutage > 0)
            {
                LogStoreAppendsResumed(refusedInOutage, _time.GetElapsedTime(outageStarted));
                refusedInOutage = 0;
            }

            var accepted = 0;
            var refusedEscalations = 0;
            for (var i = 0; i < batch.Count; i++)
            {
                accepted += results[i].Duplicate ? 0 : 1;
                refusedEscalations += results[i].EscalationRefused ? 1 : 0;
            }

            ReportRefusedEscalations(refusedEscalations);
            if (_store is not IOrderFeed)
            {
                // Each new order's frame is encoded here, once, outside the store's transaction and the fan-out lock.
                for (var i = 0; i < batch.Count; i++)
                {
                    if (!results[i].Duplicate)
                    {
                        newOrders.Add(OrderRecord.Create(results[i].Seq, acceptedAt, batch[i].MerchantId, batch[i].Order, acceptedTimestamp));
                    }
                }

                lock (_gate)
                {
                    foreach (var record in newOrders)
                    {
                        FanOut(record, overflowed);
                    }
                }

                newOrders.Clear();
                ReportSlowConsumers(overflowed);
            }

            _metrics.OrdersAccepted.Inc(accepted);
            _metrics.DuplicatePublishes.Inc(batch.Count - accepted);
            for (var i = 0; i < batch.Count; i++)
            {
                batch[i].TrySetResult(new PublishOutcome(results[i].Seq, results[i].Duplicate));
            }

            batch.Clear();
            entries.Clear();
        }
    }

    /// <summary>Fans out what a shared store committed, whichever node published it.</summary>
    private async Task RunFeedAsync(IOrderFeed feed, long afterSeq)
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

                // Encoded before taking the fan-out lock, as the sequencer does.
                var record = OrderRecord.Create(step.Order!.Value);
                lock (_gate)
                {
                    FanOut(record, overflowed);
                }

                ReportSlowConsumers(overflowed);
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
        string oldEpoch;
        List<Subscriber> ended;
        lock (_gate)
        {
            oldEpoch = Epoch;
            Epoch = change.NewEpoch;
            _lastSeq = 0;
            _recent.Reset(0);
            ended = _live.RemoveAll();
        }

        LogEpochChanged(oldEpoch, change.NewEpoch, change.LastSeqSeen, ended.Count);
        foreach (var subscriber in ended)
        {
            subscriber.EndEpoch();
        }
    }

    private void ReportSlowConsumers(List<Subscriber> overflowed)
    {
        foreach (var subscriber in overflowed)
        {
            _metrics.SlowConsumersDropped.Inc();
            LogSlowConsumer(subscriber.ConnectionId, subscriber.Queue.Capacity);
        }

        overflowed.Clear();
    }

    /// <summary>Logged as the pending limit is reached and again as it is left, not once per order.</summary>
    private void ReportRefusedEscalations(int refused)
    {
        if (refused > 0)
        {
            _metrics.Escalations.WithLabels("refused").Inc(refused);
        }

        if ((refused > 0) != _refusingEscalations)
        {
            _refusingEscalations = refused > 0;
            if (_refusingEscalations)
            {
                LogEscalationLimitReached();
            }
            else
            {
                LogEscalationLimitLeft();
            }
        }
    }

    /// <summary>
    /// What the store is handed of each publish, with, for order status, how many pages of its
    /// merchant this node has connected as it is sequenced.
    /// </summary>
    private void ToJournalEntries(List<PublishRequest> batch, List<JournalEntry> entries)
    {
        lock (_gate)
        {
            foreach (var request in batch)
            {
                var onlinePages = request.MerchantId is { } merchantId ? _ledger.Find(merchantId)?.Online ?? 0 : 0;
                entries.Add(new JournalEntry(request.IdempotencyKey, request.MerchantId, request.Order, request.Publisher, onlinePages));
            }
        }
    }

    /// <summary>How many times this node wrote the order to a page; null when it is no longer among the recent orders.</summary>
    public int? FindDeliveries(long seq)
    {
        lock (_gate)
        {
            return _recent.Find(seq)?.Deliveries;
        }
    }

    /// <summary>Queues a control frame for every live subscriber entitled to the merchant's orders, never waiting.</summary>
    public void Broadcast(string? merchantId, OutboundFrame frame)
    {
        var overflowed = new List<Subscriber>();
        lock (_gate)
        {
            _live.Broadcast(merchantId, frame, overflowed);
        }

        ReportSlowConsumers(overflowed);
    }

    private void FanOut(OrderRecord record, List<Subscriber> overflowed)
    {
        _live.Deliver(record, overflowed);
        _recent.Add(record);
        _lastSeq = record.Seq;
    }
}
