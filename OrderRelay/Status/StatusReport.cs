namespace OrderRelay.Status;

/// <summary>What <c>GET /status/data</c> answers: the status page's every figure.</summary>
internal sealed record StatusReport(
    string Now,
    string Epoch,
    long Seq,
    ConnectionCounts Connections,
    int MerchantsOnline,
    long OrdersAccepted,
    long Deliveries,
    long SlowConsumersDropped,
    LatencyReport Latency,
    ActivitySeries History,
    int WaitingMerchantsTotal,
    IReadOnlyList<WaitingMerchant> WaitingMerchants);

internal sealed record ConnectionCounts(long Publisher, long Subscriber);

/// <summary>Publish→send latency: the mean over the last minute and bucket bounds since start (milliseconds).</summary>
internal sealed record LatencyReport(long Observed, double? MeanLastMinuteMs, LatencyBound? P50, LatencyBound? P99);

/// <summary>A quantile's bucket bound; <c>Over</c> when it lies past the largest bucket, <c>Ms</c> then being that bucket's bound.</summary>
internal sealed record LatencyBound(double Ms, bool Over);

/// <summary>Per-interval figures, oldest first, ending at <c>End</c>.</summary>
internal sealed record ActivitySeries(double IntervalSeconds, string? End, IReadOnlyList<long> Orders, IReadOnlyList<long> Deliveries);

internal sealed record WaitingMerchant(string MerchantId, int Online, long PublishedSeq, long DeliveredSeq, long ConfirmedSeq,
    string? ConfirmedAt, string? UnconfirmedSince);
