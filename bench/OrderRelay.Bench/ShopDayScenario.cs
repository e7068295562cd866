using System.Diagnostics;

namespace OrderRelay.Bench;

/// <summary>
/// Scenario 5, the relay's real day: every merchant has two idle pages open, and orders arrive
/// at a steady average rate with random gaps, each for one merchant's two pages, published in
/// turn over a WebSocket and by <c>POST /publish</c>. Measures publish-to-receive latency per
/// page, server CPU per order and the server's resident memory.
/// </summary>
internal sealed class ShopDayScenario(BenchSizes sizes) : Scenario(sizes)
{
    private const int PagesPerMerchant = 2;

    public override string Name => "shop-day";

    public override IReadOnlyList<Metric> Metrics { get; } =
    [
        new("p50_ms", "p50 latency", "ms", HigherIsBetter: false),
        new("p99_ms", "p99 latency", "ms", HigherIsBetter: false),
        new("max_ms", "max latency", "ms", HigherIsBetter: false),
        new("late_send_p99_ms", "load generator's late sends, p99", "ms", HigherIsBetter: false),
        new("server_cpu_us_per_order", "server CPU/order", "µs", HigherIsBetter: false),
        new("rss_mib", "server RSS", "MiB", HigherIsBetter: false),
    ];

    public override string Description =>
        $"{Sizes.ShopDayMerchants} merchants with {PagesPerMerchant} idle pages each ({Sizes.ShopDayMerchants * PagesPerMerchant} connections); " +
        $"{Sizes.ShopDayOrdersPerSecond} orders/s on average with random (exponential) gaps, each to a random merchant, WebSocket and POST /publish in turn; " +
        $"{Sizes.WarmUp.TotalSeconds:0.#} s warm-up, {Sizes.ShopDayMeasure.TotalSeconds:0.#} s measured";

    public override async Task<IReadOnlyDictionary<string, double>> RunOnceAsync(RunningServer server, CancellationToken cancellationToken)
    {
        var connector = Connector(server);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var readers = new System.Collections.Concurrent.ConcurrentBag<Task>();
        var pages = await ConnectPagesAsync(connector, Sizes.ShopDayMerchants * PagesPerMerchant, Sizes.ConnectConcurrency,
            i => "m-" + (i % Sizes.ShopDayMerchants), cancellationToken,
            page => readers.Add(Task.Run(() => page.RunAsync(stop.Token), CancellationToken.None)));
        using var publisher = await BenchPublisher.ConnectAsync(connector, Sizes.PublishWindow, cancellationToken);
        using var httpPublisher = new BenchHttpPublisher(server.WebSocketUri, Sizes.PublishWindow);
        // The same gaps and merchants for both servers and every run.
        var random = new Random(20261128);
        try
        {
            await PublishAsync(publisher, httpPublisher, random, Sizes.WarmUp, lateSends: null, cancellationToken);
            await WaitForEveryDeliveryAsync(pages, publisher, httpPublisher, cancellationToken);
            var latencies = new LatencyRecorder((int)(Sizes.ShopDayOrdersPerSecond * Sizes.ShopDayMeasure.TotalSeconds * PagesPerMerchant * 2));
            foreach (var page in pages)
            {
                page.Latencies = latencies;
            }

            // The load generator's own full collection, blocking over 19,000 pages, would otherwise
            // fall in the measured window now and then and be counted as the server's latency.
            GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
            var lateSends = new LatencyRecorder((int)(Sizes.ShopDayOrdersPerSecond * Sizes.ShopDayMeasure.TotalSeconds * 2));
            var cpuBefore = server.ReadCpuSeconds();
            var published = await PublishAsync(publisher, httpPublisher, random, Sizes.ShopDayMeasure, lateSends, cancellationToken);
            await WaitForEveryDeliveryAsync(pages, publisher, httpPublisher, cancellationToken);
            var cpu = server.ReadCpuSeconds() - cpuBefore;
            var (p50, p99, max) = latencies.Percentiles();
            return new Dictionary<string, double>
            {
                ["p50_ms"] = p50,
                ["p99_ms"] = p99,
                ["max_ms"] = max,
                ["late_send_p99_ms"] = lateSends.Percentiles().P99,
                ["server_cpu_us_per_order"] = cpu * 1e6 / Math.Max(1, published),
                ["rss_mib"] = server.ReadRssBytes() / (1024.0 * 1024.0),
            };
        }
        finally
        {
            await stop.CancelAsync();
            DisposeAll(pages);
            await Task.WhenAll(readers);
        }
    }

    /// <summary>
    /// Publishes for <paramref name="duration"/> on a schedule of exponential gaps (a Poisson
    /// stream, as independent shoppers make); each order carries its scheduled time, so a late
    /// send counts as latency. Even orders go over the WebSocket, odd ones by HTTP. How late the
    /// load generator itself starts each send goes to <paramref name="lateSends"/>: on two shared
    /// cores its own waits for a core are part of every server's latency, and a server that holds
    /// back acks shows there too, as the publisher waits for room in its window.
    /// </summary>
    private async Task<long> PublishAsync(BenchPublisher publisher, BenchHttpPublisher httpPublisher, Random random, TimeSpan duration,
        LatencyRecorder? lateSends, CancellationToken cancellationToken)
    {
        var meanGap = Stopwatch.Frequency / (double)Sizes.ShopDayOrdersPerSecond;
        var end = Stopwatch.GetTimestamp() + (long)(duration.TotalSeconds * Stopwatch.Frequency);
        var due = (double)Stopwatch.GetTimestamp();
        var count = 0L;
        while (due < end)
        {
            var wait = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), (long)due);
            if (wait > TimeSpan.FromMilliseconds(1))
            {
                await Task.Delay(wait, cancellationToken);
            }

            var merchant = "m-" + random.Next(Sizes.ShopDayMerchants);
            lateSends?.Record(Stopwatch.GetTimestamp() - (long)due);
            if (count % 2 == 0)
            {
                await publisher.PublishAsync(merchant, cancellationToken, sentAt: (long)due);
            }
            else
            {
                await httpPublisher.PublishAsync(merchant, (long)due, cancellationToken);
            }

            count++;
            due += -Math.Log(1 - random.NextDouble()) * meanGap;
        }

        return count;
    }

    private static async Task WaitForEveryDeliveryAsync(List<BenchSubscriber> pages, BenchPublisher publisher, BenchHttpPublisher httpPublisher,
        CancellationToken cancellationToken)
    {
        await publisher.WaitForAcksAsync(TimeSpan.FromSeconds(30));
        await httpPublisher.WaitForAnswersAsync(TimeSpan.FromSeconds(30));
        var expected = (publisher.Published + httpPublisher.Published) * PagesPerMerchant;
        await WaitUntilAsync(() => pages.Sum(p => p.Received) >= expected || pages.Any(p => p.Failure is not null),
            TimeSpan.FromSeconds(30), "every delivery", cancellationToken);
        ThrowIfAnyFailed(pages, publisher);
        if (pages.Sum(p => p.Received) is var received && received != expected)
        {
            throw new BenchRunFailedException($"{received} deliveries where {expected} were due: an order reached a page twice or a page it was not for");
        }
    }
}
