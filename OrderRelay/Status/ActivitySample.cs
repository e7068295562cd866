namespace OrderRelay.Status;

/// <summary>The relay's running totals at one instant; the status chart plots the differences between consecutive samples.</summary>
internal readonly record struct ActivitySample(
    DateTimeOffset At,
    long Publishers,
    long Subscribers,
    long OrdersAccepted,
    long Deliveries,
    long SlowConsumersDropped,
    double LatencySumSeconds,
    long LatencyCount);
