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
/// <remarks>
/// Who fans a committed order out is decided once, here: the sequencer, for a store of this
/// node alone; a feed of the store, for a store shared by several nodes, so that every node
/// delivers the one sequence the store committed.
/// </remarks>
internal sealed partial class Relay : IAsyncDisposable
{
    private const int MaxBatchLimit = 512;

    private readonly IOrderStore _store;
    private readonly ILogger<Relay> _logger;
    private readonly TimeProvider _time;
    private readonly FanOut _fanOut;
    private readonly Sequencer _sequencer;
    private readonly FeedFollower? _feed;
    private readonly SubscriberCatchUp _catchUp;

    public Relay(IOrderStore store, RelayOptions options, RelayMetrics metrics, ILogger<Relay> logger, TimeProvider time)
    {
        _store = store;
        _logger = logger;
        _time = time;
        _fanOut = new FanOut(options, metrics, logger);
        _feed = store is IOrderFeed feed ? new FeedFollower(feed, _fanOut, logger) : null;
        // One batch is fanned out at once: it must fit twice in a subscriber's queue, or a burst
        // would drop even subscribers that keep up.
        var maxBatch = Math.Clamp(options.SubscriberQueueLimit / 2, 1, MaxBatchLimit);
        _sequencer = new Sequencer(store, _fanOut, deliversCommitted: _feed is null, maxBatch, metrics, logger, time);
        _catchUp = new SubscriberCatchUp(store, _fanOut, metrics);
    }

    public string Epoch => _fanOut.Epoch;

    public long LastSeq => _fanOut.LastSeq;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var state = await _store.OpenAsync(cancellationToken).ConfigureAwait(false);
        _fanOut.StartSequence(state.Epoch, state.LastSeq);
        LogJournalOpened(state.Epoch, state.LastSeq);
        _sequencer.Start();
        _feed?.Start(state.LastSeq);
    }

    /// <summary>Stops taking publishes and waits until every queued one is answered.</summary>
    public async Task StopAsync()
    {
        await _sequencer.StopAsync().ConfigureAwait(false);
        if (_feed is not null)
        {
            await _feed.StopAsync().ConfigureAwait(false);
        }
    }

    public async ValueTask DisposeAsync() => await StopAsync().ConfigureAwait(false);

    /// <inheritdoc cref="Sequencer.SubmitAsync"/>
    public ValueTask SubmitAsync(PublishRequest request, CancellationToken cancellationToken) =>
        _sequencer.SubmitAsync(request, cancellationToken);

    /// <inheritdoc cref="SubscriberCatchUp.Plan"/>
    public SubscriptionStart PlanSubscription(long? since, string? clientEpoch) => _catchUp.Plan(since, clientEpoch);

    /// <inheritdoc cref="SubscriberCatchUp.CatchUpAndGoLiveAsync"/>
    public Task CatchUpAndGoLiveAsync(Subscriber subscriber, long afterSeq, bool isResume, CancellationToken cancellationToken) =>
        _catchUp.CatchUpAndGoLiveAsync(subscriber, afterSeq, isResume, cancellationToken);

    public void Unsubscribe(Subscriber subscriber) => _fanOut.Remove(subscriber);

    /// <inheritdoc cref="FanOut.Broadcast"/>
    public void Broadcast(string? merchantId, OutboundFrame frame) => _fanOut.Broadcast(merchantId, frame);

    /// <inheritdoc cref="FanOut.FindDeliveries"/>
    public int? FindDeliveries(long seq) => _fanOut.FindDeliveries(seq);

    /// <summary>Records a subscriber's confirmation of <paramref name="seq"/>; false for a seq never assigned.</summary>
    public async ValueTask<bool> ConfirmAsync(Subscriber subscriber, long seq, CancellationToken cancellationToken)
    {
        if (!_fanOut.TryFindMerchantOf(seq, out var merchantId))
        {
            return false;
        }

        if (merchantId is null && subscriber.Filter.Merchants.Count == 1)
        {
            merchantId = subscriber.Filter.Merchants.First();
        }

        if (merchantId is not null && subscriber.Filter.Allows(merchantId))
        {
            var confirmedAt = _time.GetUtcNow();
            await _store.RecordConfirmationAsync(merchantId, seq, confirmedAt, cancellationToken).ConfigureAwait(false);
            _fanOut.NoteConfirmed(merchantId, seq, confirmedAt);
        }

        return true;
    }

    public async ValueTask<MerchantStatus> GetMerchantStatusAsync(string merchantId, CancellationToken cancellationToken)
    {
        var (online, delivered) = _fanOut.GetMerchantActivity(merchantId);
        var confirmation = await _store.GetConfirmationAsync(merchantId, cancellationToken).ConfigureAwait(false);
        return new MerchantStatus(merchantId, online, delivered, confirmation?.Seq ?? 0, confirmation?.ConfirmedAt);
    }

    public ValueTask<bool> IsStoreHealthyAsync(CancellationToken cancellationToken) => _store.IsHealthyAsync(cancellationToken);
}
