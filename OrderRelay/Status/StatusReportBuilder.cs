using OrderRelay.Core;
using OrderRelay.Diagnostics;
using OrderRelay.Protocol;

namespace OrderRelay.Status;

/// <summary>Gathers a <see cref="StatusReport"/> from the metrics, the sample history and the relay's merchant ledger.</summary>
internal sealed class StatusReportBuilder(Relay relay, RelayMetrics metrics, ActivityRecorder recorder, TimeProvider time)
{
    /// <summary>Merchants listed as waiting; the page says how many more there are.</summary>
    public const int WaitingListLimit = 50;

    private static readonly double[] Quantiles = [0.5, 0.99];

    private static readonly TimeSpan LatencyWindow = TimeSpan.FromMinutes(1);

    public async Task<StatusReport> BuildAsync(CancellationToken cancellationToken)
    {
        var samples = recorder.History.Snapshot();
        var merchants = await relay.GetMerchantOverviewAsync(WaitingListLimit, cancellationToken).ConfigureAwait(false);
        var quantiles = await LatencyQuantiles.ReadAsync(metrics, Quantiles, cancellationToken).ConfigureAwait(false);
        var orders = new long[Math.Max(samples.Length - 1, 0)];
        var deliveries = new long[orders.Length];
        for (var i = 1; i < samples.Length; i++)
        {
            orders[i - 1] = samples[i].OrdersAccepted - samples[i - 1].OrdersAccepted;
            deliveries[i - 1] = samples[i].Deliveries - samples[i - 1].Deliveries;
        }

        var observed = metrics.PublishToSend.Count;
        return new StatusReport(
            FrameEncoder.Timestamp(time.GetUtcNow()),
            relay.Epoch,
            relay.LastSeq,
            new ConnectionCounts((long)metrics.Connections.WithLabels("publisher").Value, (long)metrics.Connections.WithLabels("subscriber").Value),
            merchants.Online,
            (long)metrics.OrdersAccepted.Value,
            (long)metrics.Deliveries.Value,
            (long)metrics.SlowConsumersDropped.Value,
            new LatencyReport(observed, MeanOverLastMinute(samples), quantiles[0], quantiles[1]),
            new ActivitySeries(ActivityRecorder.Interval.TotalSeconds, samples.Length > 0 ? FrameEncoder.Timestamp(samples[^1].At) : null, orders, deliveries),
            merchants.WaitingCount,
            [.. merchants.Waiting.Select(Waiting)]);
    }

    private static double? MeanOverLastMinute(ActivitySample[] samples)
    {
        if (samples.Length < 2)
        {
            return null;
        }

        var newest = samples[^1];
        var start = Array.FindIndex(samples, sample => sample.At >= newest.At - LatencyWindow);
        var first = samples[start];
        var count = newest.LatencyCount - first.LatencyCount;
        return count == 0 ? null : (newest.LatencySumSeconds - first.LatencySumSeconds) / count * 1000;
    }

    private static WaitingMerchant Waiting(MerchantBacklog backlog) => new(backlog.MerchantId, backlog.Online, backlog.PublishedSeq,
        backlog.DeliveredSeq, backlog.ConfirmedSeq, FrameEncoder.Timestamp(backlog.ConfirmedAt), FrameEncoder.Timestamp(backlog.UnconfirmedSince));
}
