using Microsoft.Extensions.Logging;
using OrderRelay.Configuration;
using OrderRelay.Diagnostics;
using OrderRelay.Protocol;
using OrderRelay.Storage;

namespace OrderRelay.Core;

/// <summary>
/// The live side of the relay: the subscribers taking live orders, the recent orders, the
/// merchant ledger and the newest seq fanned out. One lock guards them all, so that a
/// subscriber going live and an order fanning out can never interleave.
/// </summary>
internal sealed partial class FanOut
{
    private readonly Lock _gate = new();
    private readonly LiveSubscribers _live;
    private readonly RecentOrders _recent;
    private readonly MerchantLedger _ledger;
    private readonly RelayMetrics _metrics;
    private readonly ILogger _logger;
    private long _lastSeq;

    public FanOut(RelayOptions options, RelayMetrics metrics, ILogger logger)
    {
        _metrics = metrics;
        _logger = logger;
        // Never more than the store keeps, so replay never offers what history no longer holds.
        _recent = new RecentOrders(Math.Min(options.SubscriberQueueLimit, Math.Min(options.HistoryLimit, options.History.MaxOrders)));
        _ledger = new MerchantLedger(options.MerchantLimit);
        _live = new LiveSubscribers(_ledger);
    }

    public string Epoch { get; private set; } = "";

    /// <summary>The newest seq fanned out (or found in the journal at start).</summary>
    public long LastSeq => Volatile.Read(ref _lastSeq);

    /// <summary>The oldest seq the recent ring could still serve.</summary>
    public long FloorOfRecent
    {
        get
        {
            lock (_gate)
            {
                return _recent.FloorSeq;
            }
        }
    }

    /// <summary>Starts a sequence: at the journal's position when the relay starts, at 0 when a shared journal takes a new epoch.</summary>
    /// <returns>The subscribers that were live in the sequence that ended; the caller tells them, off the lock.</returns>
    public List<Subscriber> StartSequence(string epoch, long lastSeq)
    {
        lock (_gate)
        {
            Epoch = epoch;
            _lastSeq = lastSeq;
            _recent.Reset(lastSeq);
            return _live.RemoveAll();
        }
    }

    /// <summary>Queues each order, in seq order, for every live subscriber entitled to it.</summary>
    /// <param name="records">A list, not an interface, so that walking it per batch allocates no enumerator.</param>
    public void Deliver(List<OrderRecord> records, List<Subscriber> overflowed)
    {
        lock (_gate)
        {
            foreach (var record in records)
            {
                DeliverLocked(record, overflowed);
            }
        }

        ReportSlowConsumers(overflowed);
    }

    public void Deliver(OrderRecord record, List<Subscriber> overflowed)
    {
        lock (_gate)
        {
            DeliverLocked(record, overflowed);
        }

        ReportSlowConsumers(overflowed);
    }

    /// <summary>
    /// Takes the subscriber live when the recent ring holds everything after
    /// <paramref name="cursor"/> that it may see and its queue has room for it: that rest is
    /// queued and the subscriber added to fan-out in one step.
    /// </summary>
    /// <param name="seam">A list to collect into, reused across attempts.</param>
    public GoLiveOutcome TryGoLive(Subscriber subscriber, long cursor, List<OrderRecord> seam)
    {
        lock (_gate)
        {
            seam.Clear();
            if (subscriber.Epoch.Length > 0 && subscriber.Epoch != Epoch)
            {
                // Welcomed in an epoch that has since ended: what it was replayed belongs to a
                // sequence that is not continued, so it is told rather than taken live.
                return GoLiveOutcome.EpochEnded;
            }

            // One slot stays free for a control frame the connection may queue meanwhile. A
            // subscriber with nothing left to catch up goes live even with a full queue:
            // fan-out then deals with it as with any other.
            if (!_recent.TryCollectAfter(cursor, subscriber.Filter, seam) || (seam.Count > 0 && seam.Count >= subscriber.Queue.FreeSpace))
            {
                return GoLiveOutcome.StillBehind;
            }

            foreach (var record in seam)
            {
                subscriber.Queue.TryEnqueue(record);
            }

            _live.Add(subscriber);
            return GoLiveOutcome.Live;
        }
    }

    public void Remove(Subscriber subscriber)
    {
        lock (_gate)
        {
            _live.Remove(subscriber);
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

    /// <summary>Whether <paramref name="seq"/> was ever assigned here, and the merchant of the order when it is still recent.</summary>
    public bool TryFindMerchantOf(long seq, out string? merchantId)
    {
        lock (_gate)
        {
            merchantId = _recent.Find(seq)?.MerchantId;
            return seq > 0 && seq <= _lastSeq;
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

    /// <summary>
    /// The batch as the store takes it, each entry noting, for order status, how many pages of
    /// its merchant this node has connected as it is sequenced.
    /// </summary>
    public void ToJournalEntries(List<PublishRequest> batch, List<JournalEntry> entries)
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

    public (int Online, long DeliveredSeq) GetMerchantActivity(string merchantId)
    {
        lock (_gate)
        {
            var activity = _ledger.Find(merchantId);
            return (activity?.Online ?? 0, activity?.DeliveredSeq ?? 0);
        }
    }

    /// <summary>Merchants online, and those with orders not yet confirmed, longest waiting first.</summary>
    public (int Online, List<MerchantActivity> Unconfirmed) SurveyMerchants()
    {
        var online = 0;
        var unconfirmed = new List<(MerchantActivity Activity, DateTimeOffset Since)>();
        lock (_gate)
        {
            foreach (var activity in _ledger.All)
            {
                if (activity.Online > 0)
                {
                    online++;
                }

                if (activity.HasUnconfirmed)
                {
                    unconfirmed.Add((activity, activity.UnconfirmedSince ?? DateTimeOffset.MinValue));
                }
            }
        }

        unconfirmed.Sort((a, b) => a.Since.CompareTo(b.Since));
        return (online, unconfirmed.ConvertAll(candidate => candidate.Activity));
    }

    /// <summary>Brings a merchant's ledger entry up to the confirmation the store holds, if any; its backlog when orders are still unconfirmed.</summary>
    public MerchantBacklog? Reconcile(MerchantActivity activity, long? confirmedSeq, DateTimeOffset? confirmedAt)
    {
        lock (_gate)
        {
            if (confirmedSeq is { } seq)
            {
                activity.NoteConfirmed(seq, confirmedAt);
            }

            return activity.HasUnconfirmed
                ? new MerchantBacklog(activity.MerchantId, activity.Online, activity.PublishedSeq, activity.DeliveredSeq,
                    activity.ConfirmedSeq, activity.ConfirmedAt, activity.UnconfirmedSince)
                : null;
        }
    }

    /// <summary>Keeps the ledger's view of a merchant's confirmations current.</summary>
    public void NoteConfirmed(string merchantId, long seq, DateTimeOffset confirmedAt)
    {
        lock (_gate)
        {
            _ledger.Find(merchantId)?.NoteConfirmed(seq, confirmedAt);
        }
    }

    private void DeliverLocked(OrderRecord record, List<Subscriber> overflowed)
    {
        _live.Deliver(record, overflowed);
        _recent.Add(record);
        _lastSeq = record.Seq;
    }

    private void ReportSlowConsumers(List<Subscriber> overflowed)
    {
        foreach (var subscriber in overflowed)
        {
            _metrics.SlowConsumersDropped.Inc();
            LogSlowConsumer(_logger, subscriber.ConnectionId, subscriber.Queue.Capacity);
        }

        overflowed.Clear();
    }

    [LoggerMessage(EventId = 102, Level = LogLevel.Warning, Message = "Subscriber {ConnectionId} fell {Limit} frames behind and is dropped as a slow consumer")]
    private static partial void LogSlowConsumer(ILogger logger, string connectionId, int limit);
}
