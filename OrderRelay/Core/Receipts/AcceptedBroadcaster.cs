using Microsoft.Extensions.Logging;
using OrderRelay.Protocol;
using OrderRelay.Storage;

namespace OrderRelay.Core.Receipts;

/// <summary>
/// Follows the journal's event log from where it stood at start and tells this node's pages of
/// every accept, whichever node recorded it: <c>accepted</c> to each live subscriber entitled to the order.
/// </summary>
internal sealed partial class AcceptedBroadcaster(IOrderTracking tracking, Relay relay, TimeProvider time, ILogger<AcceptedBroadcaster> logger)
{
    private const int PageSize = 256;

    /// <summary>A signal may be lost (a Redis subscription dropping); the log is looked at this often anyway.</summary>
    private static readonly TimeSpan PollInterval = TimeSpan.FromSeconds(1);

    private static readonly TimeSpan RetryDelay = TimeSpan.FromSeconds(1);

    private readonly CancellationTokenSource _stopping = new();
    private Task _running = Task.CompletedTask;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var cursor = (await tracking.ReadEventBoundsAsync(cancellationToken).ConfigureAwait(false)).Last;
        _running = Task.Run(() => RunAsync(cursor, _stopping.Token), CancellationToken.None);
    }

    public async Task StopAsync()
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
        await _running.ConfigureAwait(false);
    }

    private async Task RunAsync(long cursor, CancellationToken stopping)
    {
        var failing = false;
        while (!stopping.IsCancellationRequested)
        {
            var logged = tracking.NextEventsLogged;
            try
            {
                // Read first: every event up to it is logged, so a page that is not full has seen them all and the
                // cursor moves past the confirmations in between instead of scanning them again at the next wake.
                var newest = (await tracking.ReadEventBoundsAsync(stopping).ConfigureAwait(false)).Last;
                var events = await tracking.ReadEventsAfterAsync(cursor, publisher: null, OrderEventKind.MerchantAccepted, PageSize, stopping).ConfigureAwait(false);
                failing = false;
                foreach (var logEvent in events)
                {
                    cursor = logEvent.Cursor;
                    relay.Broadcast(logEvent.MerchantId, FrameEncoder.Accepted(logEvent.Seq, logEvent.MerchantId, logEvent.At));
                }

                if (events.Count < PageSize)
                {
                    cursor = Math.Max(cursor, newest);
                    await WaitAsync(logged, PollInterval, stopping).ConfigureAwait(false);
                }
            }
            catch (OperationCanceledException) when (stopping.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                if (!failing)
                {
                    LogReadFailed(ex, cursor);
                    failing = true;
                }

                await WaitAsync(Task.Delay(Timeout.Infinite, stopping), RetryDelay, stopping).ConfigureAwait(false);
            }
        }
    }

    private async Task WaitAsync(Task signal, TimeSpan atMost, CancellationToken stopping)
    {
        try
        {
            await signal.WaitAsync(atMost, time, stopping).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            // Looked at anyway.
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
            // Stopping.
        }
    }
}
