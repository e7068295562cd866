using OrderRelay.Protocol;
using OrderRelay.Storage;

namespace OrderRelay.Core.Receipts;

/// <summary>
/// Receipts for one publisher connection: read from the journal's event log by cursor (so none is
/// lost across a reconnect, a restart or another node recording it), queued in cursor order,
/// waiting for room: only this publisher's own reading speed slows it.
/// </summary>
internal sealed class ReceiptPump(IOrderTracking tracking, TimeProvider time)
{
    private const int PageSize = 256;

    /// <summary>A signal may be lost (a Redis subscription dropping); the log is looked at this often anyway.</summary>
    private static readonly TimeSpan PollInterval = TimeSpan.FromSeconds(1);

    /// <summary>
    /// Where a publisher starts: after the cursor it gave, or from now on without one;
    /// <c>Recovered</c> is false when events after its cursor are no longer kept (or the cursor means nothing here).
    /// </summary>
    public async ValueTask<ReceiptStart> PlanAsync(long? afterCursor, CancellationToken cancellationToken)
    {
        var bounds = await tracking.ReadEventBoundsAsync(cancellationToken).ConfigureAwait(false);
        if (afterCursor is not { } after)
        {
            return new ReceiptStart(bounds.Last, bounds.Last, Recovered: null);
        }

        // A cursor past the newest belongs to another journal (memory store restarted): everything kept is sent.
        var known = after <= bounds.Last;
        return new ReceiptStart(known ? after : 0, bounds.Last, Recovered: known && after + 1 >= bounds.FirstKept);
    }

    /// <summary>Queues every receipt for <paramref name="publisher"/> after <paramref name="afterCursor"/>, then each new one, until cancelled or the queue closes.</summary>
    public async Task RunAsync(string publisher, long afterCursor, OutboundQueue queue, CancellationToken cancellationToken)
    {
        var cursor = afterCursor;
        while (!cancellationToken.IsCancellationRequested)
        {
            var logged = tracking.NextEventsLogged;
            // Read first: a page that is not full has seen every event up to it, so other publishers' events are not scanned again.
            var newest = (await tracking.ReadEventBoundsAsync(cancellationToken).ConfigureAwait(false)).Last;
            var events = await tracking.ReadEventsAfterAsync(cursor, publisher, kind: null, PageSize, cancellationToken).ConfigureAwait(false);
            foreach (var logEvent in events)
            {
                if (!await queue.EnqueueAsync(FrameEncoder.Receipt(ToFrame(logEvent)), cancellationToken).ConfigureAwait(false))
                {
                    return;
                }

                cursor = logEvent.Cursor;
            }

            if (events.Count < PageSize)
            {
                cursor = Math.Max(cursor, newest);
                try
                {
                    await logged.WaitAsync(PollInterval, time, cancellationToken).ConfigureAwait(false);
                }
                catch (TimeoutException)
                {
                    // Looked at anyway.
                }
            }
        }
    }

    private static ReceiptFrame ToFrame(OrderEvent logEvent)
    {
        var at = FrameEncoder.Timestamp(logEvent.At);
        return logEvent.Kind == OrderEventKind.Confirmed
            ? new ReceiptFrame(logEvent.Cursor, logEvent.Seq, logEvent.IdempotencyKey, logEvent.MerchantId, ConfirmedAt: at, MerchantAcceptedAt: null)
            : new ReceiptFrame(logEvent.Cursor, logEvent.Seq, logEvent.IdempotencyKey, logEvent.MerchantId, ConfirmedAt: null, MerchantAcceptedAt: at);
    }
}

/// <param name="AfterCursor">Receipts after this one are sent.</param>
/// <param name="NewestCursor">The newest cursor now, for the welcome.</param>
/// <param name="Recovered">Null when no cursor was given.</param>
internal readonly record struct ReceiptStart(long AfterCursor, long NewestCursor, bool? Recovered);
