using System.Diagnostics;

namespace OrderRelay.Bench;

/// <summary>
/// Scenario 1: one publisher, every subscriber takes every order. Either as fast as the
/// slowest subscriber allows (deliveries/s), or at a fixed order rate (publish-to-receive latency).
/// </summary>
/// On a cluster store the subscribers are split across the nodes and the publisher uses the first.
internal sealed class BroadcastScenario(BenchSizes sizes, bool fixedRate, string store = "memory") : Scenario(sizes)
{
    private const int MerchantSpread = 100;

    public override string Store => store;

    public override string Name => (store == "memory" ? "" : store + "-") + (!fixedRate ? "broadcast"
        : Sizes.LatencyOrdersPerSecond == new BenchSizes().LatencyOrdersPerSecond ? "latency" : "latency-" + Sizes.LatencyOrdersPerSecond);

    public override IReadOnlyList<Metric> Metrics { get; } = fixedRate
        ?
        [
            new("p50_ms", "p50 latency", "ms", HigherIsBetter: false),
            new("p99_ms", "p99 latency", "ms", HigherIsBetter: false),
            new("max_ms", "max latency", "ms", HigherIsBetter: false),
            // Shows whether the server had cores to spare at this rate, whatever the latency.
            new("server_cpu_us_per_delivery", "server CPU/delivery", "µs", HigherIsBetter: false),
        ]
        : [
            new("deliveries_per_s", "deliveries/s", "1/s", HigherIsBetter: true),
            // Less sensitive than deliveries/s to other work on a shared machine.
            new("server_cpu_us_per_delivery", "server CPU/delivery", "µs", HigherIsBetter: false),
        ];

    public override string Description => fixedRate
        ? $"{Sizes.BroadcastSubscribers} unfiltered subscribers, {Sizes.LatencyOrdersPerSecond} orders/s ({Sizes.LatencyOrdersPerSecond * Sizes.BroadcastSubscribers} deliveries/s) for {Sizes.Measure.TotalSeconds:0.#} s"
        : $"{Sizes.BroadcastSubscribers} unfiltered subscribers, ~500-byte orders as fast as the slowest subscriber allows, {Sizes.Measure.TotalSeconds:0.#} s";

    public override async Task<IReadOnlyDictionary<string, double>> RunOnceAsync(RunningServer server, CancellationToken cancellationToken)
    {
        var connectors = Connectors(server);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var readers = new System.Collections.Concurrent.ConcurrentBag<Task>();
        // Each reads (and so answers pings) from the moment it is welcomed.
        var subscribers = await ConnectSubscribersAsync(connectors, Sizes.BroadcastSubscribers, Sizes.ConnectConcurrency, _ => null, cancellationToken,
            subscriber => readers.Add(Task.Run(() => subscriber.RunAsync(stop.Token), CancellationToken.None)));
        using var publisher = await BenchPublisher.ConnectAsync(connectors[0], Sizes.PublishWindow, cancellationToken);
        try
        {
            return fixedRate
                ? await MeasureLatencyAsync(server, subscribers, publisher, cancellationToken)
                : await MeasureThroughputAsync(server, subscribers, publisher, cancellationToken);
        }
        finally
        {
            await stop.CancelAsync();
            DisposeAll(subscribers);
            await Task.WhenAll(readers);
        }
    }

    private async Task<IReadOnlyDictionary<string, double>> MeasureThroughputAsync(RunningServer server, List<BenchSubscriber> subscribers, BenchPublisher publisher, CancellationToken cancellationToken)
    {
        await PublishPacedAsync(subscribers, publisher, Sizes.WarmUp, cancellationToken);
        var before = TotalReceived(subscribers);
        var cpuBefore = server.ReadCpuSeconds();
        var started = Stopwatch.GetTimestamp();
        await PublishPacedAsync(subscribers, publisher, Sizes.Measure, cancellationToken);
        var delivered = TotalReceived(subscribers) - before;
        var elapsed = Stopwatch.GetElapsedTime(started);
        var cpu = server.ReadCpuSeconds() - cpuBefore;
        await WaitForEveryDeliveryAsync(subscribers, publisher, cancellationToken);
        return new Dictionary<string, double>
        {
            ["deliveries_per_s"] = delivered / elapsed.TotalSeconds,
            ["server_cpu_us_per_delivery"] = cpu * 1e6 / Math.Max(1, delivered),
        };
    }

    private async Task<IReadOnlyDictionary<string, double>> MeasureLatencyAsync(RunningServer server, List<BenchSubscriber> subscribers, BenchPublisher publisher, CancellationToken cancellationToken)
    {
        await PublishAtRateAsync(publisher, Sizes.WarmUp, cancellationToken);
        await WaitForEveryDeliveryAsync(subscribers, publisher, cancellationToken);
        var expected = (int)(Sizes.LatencyOrdersPerSecond * Sizes.Measure.TotalSeconds * subscribers.Count);
        var latencies = new LatencyRecorder(expected + subscribers.Count * 16);
        foreach (var subscriber in subscribers)
        {
            subscriber.Latencies = latencies;
        }

        var cpuBefore = server.ReadCpuSeconds();
        await PublishAtRateAsync(publisher, Sizes.Measure, cancellationToken);
        await WaitForEveryDeliveryAsync(subscribers, publisher, cancellationToken);
        var cpu = server.ReadCpuSeconds() - cpuBefore;
        var (p50, p99, max) = latencies.Percentiles();
        return new Dictionary<string, double>
        {
            ["p50_ms"] = p50,
            ["p99_ms"] = p99,
            ["max_ms"] = max,
            ["server_cpu_us_per_delivery"] = cpu * 1e6 / Math.Max(1, latencies.Count),
        };
    }

    /// <summary>Publishes while no subscriber is more than <c>DeliveryLag</c> orders behind, for <paramref name="duration"/>.</summary>
    private async Task PublishPacedAsync(List<BenchSubscriber> subscribers, BenchPublisher publisher, TimeSpan duration, CancellationToken cancellationToken)
    {
        var end = Stopwatch.GetTimestamp() + (long)(duration.TotalSeconds * Stopwatch.Frequency);
        while (Stopwatch.GetTimestamp() < end)
        {
            if (publisher.Published - SlowestReceived(subscribers) >= Sizes.DeliveryLag)
            {
                ThrowIfAnyFailed(subscribers, publisher);
                await Task.Delay(1, cancellationToken);
                continue;
            }

            await publisher.PublishAsync("m-" + (publisher.Published % MerchantSpread), cancellationToken);
        }
    }

    /// <summary>Publishes on a fixed schedule; each order carries its scheduled time, so a late send counts as latency too.</summary>
    private async Task PublishAtRateAsync(BenchPublisher publisher, TimeSpan duration, CancellationToken cancellationToken)
    {
        var interval = Stopwatch.Frequency / Sizes.LatencyOrdersPerSecond;
        var count = (long)(duration.TotalSeconds * Sizes.LatencyOrdersPerSecond);
        var start = Stopwatch.GetTimestamp();
        for (var i = 0L; i < count; i++)
        {
            var due = start + i * interval;
            var wait = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), due);
            if (wait > TimeSpan.FromMilliseconds(1))
            {
                await Task.Delay(wait, cancellationToken);
            }

            await publisher.PublishAsync("m-" + (i % MerchantSpread), cancellationToken, sentAt: due);
        }
    }

    private static async Task WaitForEveryDeliveryAsync(List<BenchSubscriber> subscribers, BenchPublisher publisher, CancellationToken cancellationToken)
    {
        await publisher.WaitForAcksAsync(TimeSpan.FromSeconds(30));
        await WaitUntilAsync(() => SlowestReceived(subscribers) >= publisher.Published || subscribers.Any(s => s.Failure is not null),
            TimeSpan.FromSeconds(30), "every delivery", cancellationToken);
        ThrowIfAnyFailed(subscribers, publisher);
    }

    private static long SlowestReceived(List<BenchSubscriber> subscribers)
    {
        var slowest = long.MaxValue;
        foreach (var subscriber in subscribers)
        {
            slowest = Math.Min(slowest, subscriber.Received);
        }

        return slowest;
    }

    private static long TotalReceived(List<BenchSubscriber> subscribers) => subscribers.Sum(s => s.Received);
}
