using Microsoft.Extensions.Logging;
using OrderRelay.Configuration;
using OrderRelay.Diagnostics;
using OrderRelay.Storage;

namespace OrderRelay.Core.Escalation;

/// <summary>
/// Sends what the journal says is owed: every order no person accepted within
/// <c>Relay:Escalation:After</c> is POSTed, signed, to the webhook until it answers 2xx.
/// The obligation lives in the store, written with the order, so a restart or a crash loses none;
/// each one is claimed with a lease, so in a cluster one node at a time sends it, and one whose
/// sender died is due again when the lease ends (at least once; the receiver drops repeats by
/// <c>delivery_id</c>).
/// </summary>
internal sealed partial class EscalationService : IDisposable
{
    /// <summary>Most escalations sent in one round before the journal is asked again.</summary>
    private const int RoundLimit = 32;

    /// <summary>How often the journal is asked for what is due.</summary>
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(250);

    private static readonly TimeSpan MetricInterval = TimeSpan.FromSeconds(5);

    /// <summary>Cut-offs of the age metric (<c>older_than</c> label).</summary>
    private static readonly (string Label, TimeSpan Age)[] AgeBuckets =
        [("0s", TimeSpan.Zero), ("1m", TimeSpan.FromMinutes(1)), ("5m", TimeSpan.FromMinutes(5)), ("15m", TimeSpan.FromMinutes(15)), ("1h", TimeSpan.FromHours(1))];

    private readonly IOrderTracking _tracking;
    private readonly Relay _relay;
    private readonly EscalationOptions _options;
    private readonly RelayMetrics _metrics;
    private readonly TimeProvider _time;
    private readonly ILogger<EscalationService> _logger;
    private readonly EscalationWebhook? _webhook;
    private readonly TimeSpan _lease;
    private readonly CancellationTokenSource _stopping = new();
    private Task _running = Task.CompletedTask;

    public EscalationService(IOrderTracking tracking, Relay relay, RelayOptions options, RelayMetrics metrics, TimeProvider time, ILogger<EscalationService> logger)
    {
        _tracking = tracking;
        _relay = relay;
        _options = options.Escalation;
        _metrics = metrics;
        _time = time;
        _logger = logger;
        _webhook = _options.Enabled ? new EscalationWebhook(_options, time) : null;
        // Each escalation is claimed just before its call, so the lease covers one call that times out; a node that
        // dies during the call leaves it to be claimed again (by any node, or by itself after a restart) once the lease ends.
        _lease = _options.RequestTimeout + TimeSpan.FromSeconds(5);
    }

    public void Start()
    {
        if (_options.Enabled)
        {
            _running = Task.Run(() => RunAsync(_stopping.Token), CancellationToken.None);
        }
    }

    public async Task StopAsync()
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
        await _running.ConfigureAwait(false);
    }

    /// <summary>One round: claims what is due and sends it; the loop runs it every poll interval.</summary>
    internal async Task<int> SendDueAsync(CancellationToken cancellationToken)
    {
        var sent = 0;
        while (sent < RoundLimit
            && (await _tracking.ClaimDueEscalationsAsync(_time.GetUtcNow(), _lease, 1, cancellationToken).ConfigureAwait(false)) is [var due])
        {
            sent++;
            var deliveryId = EscalationPayload.DeliveryId(_relay.Epoch, due.Seq);
            var body = EscalationPayload.Encode(due, _relay.Epoch, _options.After);
            var answer = await _webhook!.PostAsync(body, deliveryId, cancellationToken).ConfigureAwait(false);
            if (answer.Taken)
            {
                await _tracking.CompleteEscalationAsync(due.Seq, _time.GetUtcNow(), cancellationToken).ConfigureAwait(false);
                _metrics.Escalations.WithLabels("sent").Inc();
                LogEscalated(due.Seq, due.MerchantId, due.Attempt);
                continue;
            }

            var delay = RetryDelay(due.Attempt);
            await _tracking.RetryEscalationAsync(due.Seq, _time.GetUtcNow() + delay, cancellationToken).ConfigureAwait(false);
            _metrics.Escalations.WithLabels("failed").Inc();
            LogWebhookRefused(answer.Failure, due.Seq, due.Attempt, answer.Status?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "no answer", delay);
        }

        return sent;
    }

    /// <summary>One second after the first failure, doubling up to <c>MaxRetryDelay</c>.</summary>
    internal TimeSpan RetryDelay(int attempt)
    {
        var seconds = Math.Pow(2, Math.Min(attempt - 1, 30));
        return TimeSpan.FromSeconds(Math.Min(seconds, _options.MaxRetryDelay.TotalSeconds));
    }

    internal async Task UpdateAgeMetricAsync(CancellationToken cancellationToken)
    {
        var now = _time.GetUtcNow();
        var counts = await _tracking.CountPendingEscalationsAsync([.. AgeBuckets.Select(bucket => now - bucket.Age)], cancellationToken).ConfigureAwait(false);
        for (var i = 0; i < AgeBuckets.Length; i++)
        {
            _metrics.UnacceptedOrders.WithLabels(AgeBuckets[i].Label).Set(counts[i]);
        }
    }

    public void Dispose()
    {
        _webhook?.Dispose();
        _stopping.Dispose();
    }

    private async Task RunAsync(CancellationToken stopping)
    {
        var failing = false;
        var metricUpdated = long.MinValue;
        while (!stopping.IsCancellationRequested)
        {
            try
            {
                if (metricUpdated == long.MinValue || _time.GetElapsedTime(metricUpdated) >= MetricInterval)
                {
                    metricUpdated = _time.GetTimestamp();
                    await UpdateAgeMetricAsync(stopping).ConfigureAwait(false);
                }

                // A full round means more may be due at once.
                if (await SendDueAsync(stopping).ConfigureAwait(false) < RoundLimit)
                {
                    await Task.Delay(PollInterval, _time, stopping).ConfigureAwait(false);
                }

                if (failing)
                {
                    LogJournalReadable();
                    failing = false;
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
                    LogJournalFailed(ex);
                    failing = true;
                }

                try
                {
                    await Task.Delay(TimeSpan.FromSeconds(1), _time, stopping).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }
}
