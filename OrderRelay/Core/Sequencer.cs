using System.Diagnostics;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using OrderRelay.Diagnostics;
using OrderRelay.Protocol;
using OrderRelay.Storage;

namespace OrderRelay.Core;

/// <summary>
/// The single consumer of publishes: takes whatever has queued up as one batch, lets the
/// store decide it (one commit for the lot), hands the new orders to fan-out in seq order,
/// then answers each publisher.
/// </summary>
/// <param name="deliversCommitted">
/// Whether committed orders go to fan-out from here; not when a feed of a shared store
/// delivers them instead, on every node alike. Either way the sequencer counts, per order,
/// its merchant's pages online here.
/// </param>
/// <param name="maxBatch">The most publishes decided in one commit.</param>
internal sealed partial class Sequencer(IOrderStore store, FanOut fanOut, bool deliversCommitted, int maxBatch, RelayMetrics metrics,
    ILogger logger, TimeProvider time)
{
    private const int PublishQueueLimit = 8192;

    private readonly Channel<PublishRequest> _publishes = Channel.CreateBounded<PublishRequest>(new BoundedChannelOptions(PublishQueueLimit)
    {
        SingleReader = true,
        FullMode = BoundedChannelFullMode.Wait,
    });

    private bool _refusingEscalations;
    private Task _running = Task.CompletedTask;

    public void Start() => _running = Task.Run(RunAsync, CancellationToken.None);

    /// <summary>Stops taking publishes and waits until every queued one is answered.</summary>
    public async Task StopAsync()
    {
        _publishes.Writer.TryComplete();
        await _running.ConfigureAwait(false);
    }

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

    private async Task RunAsync()
    {
        var batch = new List<PublishRequest>(maxBatch);
        var entries = new List<JournalEntry>(maxBatch);
        var results = new AppendResult[maxBatch];
        var committed = new List<OrderRecord>(maxBatch);
        var overflowed = new List<Subscriber>();
        var reader = _publishes.Reader;
        // An outage is logged once as it starts and once as it ends, not once per refused batch:
        // at hundreds of publishes a second the log would otherwise drown in the same stack trace.
        var refusedInOutage = 0;
        var outageStarted = 0L;
        while (await reader.WaitToReadAsync().ConfigureAwait(false))
        {
            while (batch.Count < maxBatch && reader.TryRead(out var request))
            {
                batch.Add(request);
            }

            fanOut.ToJournalEntries(batch, entries);
            var acceptedAt = time.GetUtcNow();
            // Taken before the commit, so that publish-to-send latency includes it.
            var acceptedTimestamp = Stopwatch.GetTimestamp();
            try
            {
                await store.AppendAsync(entries, acceptedAt, results, CancellationToken.None).ConfigureAwait(false);
            }
            catch (Exception ex)
            {
                if (refusedInOutage == 0)
                {
                    outageStarted = time.GetTimestamp();
                    LogStoreAppendFailed(logger, ex, batch.Count);
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
                LogStoreAppendsResumed(logger, refusedInOutage, time.GetElapsedTime(outageStarted));
                refusedInOutage = 0;
            }

            var accepted = 0;
            var refusedEscalations = 0;
            for (var i = 0; i < batch.Count; i++)
            {
                var result = results[i];
                accepted += result.Duplicate ? 0 : 1;
                refusedEscalations += result.EscalationRefused ? 1 : 0;
                if (deliversCommitted && !result.Duplicate)
                {
                    // Encoded here, after the commit and before the fan-out lock; a feed encodes its own.
                    committed.Add(OrderRecord.Create(result.Seq, acceptedAt, batch[i].MerchantId, batch[i].Order, acceptedTimestamp));
                }
            }

            ReportRefusedEscalations(refusedEscalations);
            if (deliversCommitted)
            {
                fanOut.Deliver(committed, overflowed);
            }

            metrics.OrdersAccepted.Inc(accepted);
            metrics.DuplicatePublishes.Inc(batch.Count - accepted);
            for (var i = 0; i < batch.Count; i++)
            {
                batch[i].TrySetResult(new PublishOutcome(results[i].Seq, results[i].Duplicate));
            }

            batch.Clear();
            entries.Clear();
            committed.Clear();
        }
    }

    /// <summary>Logged as the pending limit is reached and again as it is left, not once per order.</summary>
    private void ReportRefusedEscalations(int refused)
    {
        if (refused > 0)
        {
            metrics.Escalations.WithLabels("refused").Inc(refused);
        }

        if ((refused > 0) != _refusingEscalations)
        {
            _refusingEscalations = refused > 0;
            if (_refusingEscalations)
            {
                LogEscalationLimitReached(logger);
            }
            else
            {
                LogEscalationLimitLeft(logger);
            }
        }
    }
}
