using System.Diagnostics;

namespace OrderRelay.Bench;

/// <summary>Scenario 2: one subscriber per merchant, orders spread over all of them; acked orders/s and latency.</summary>
internal sealed class MerchantsScenario(BenchSizes sizes, string store) : Scenario(sizes)
{
    public override string Name => store == "memory" ? "merchants" : "merchants-" + store;

    public override string Store => store;

    public override IReadOnlyList<Metric> Metrics { get; } =
    [
        new("acked_orders_per_s", "acked orders/s", "1/s", HigherIsBetter: true),
        new("p99_ms", "p99 latency", "ms", HigherIsBetter: false),
        new("server_cpu_us_per_order", "server CPU/order", "µs", HigherIsBetter: false),
        new("client_cpu_us_per_order", "load gen CPU/order", "µs", HigherIsBetter: false),
    ];

    public override string Description =>
        $"{Sizes.MerchantSubscribers} subscribers, one merchant each; {Sizes.MerchantOrders} orders spread over them, {Sizes.PublishWindow} publishes in flight; store {store}";

    public override async Task<IReadOnlyDictionary<string, double>> RunOnceAsync(RunningServer server, CancellationToken cancellationToken)
    {
        var connector = Connector(server);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var readers = new System.Collections.Concurrent.ConcurrentBag<Task>();
        // Each reads (and so answers pings) from the moment it is welcomed.
        var subscribers = await ConnectSubscribersAsync(connector, Sizes.MerchantSubscribers, Sizes.ConnectConcurrency, i => "m-" + i, cancellationToken,
            subscriber => readers.Add(Task.Run(() => subscriber.RunAsync(stop.Token), CancellationToken.None)));
        using var publisher = await BenchPublisher.ConnectAsync(connector, Sizes.PublishWindow, cancellationToken);
        try
        {
            // Warm-up: as many orders as are measured (a tenth left the server's JIT still tiering up
            // in the measured batch), then the measured batch, each order to the next merchant in turn.
            await PublishSpreadAsync(subscribers, publisher, Sizes.MerchantOrders, cancellationToken);
            var latencies = new LatencyRecorder(Sizes.MerchantOrders);
            foreach (var subscriber in subscribers)
            {
                subscriber.Latencies = latencies;
            }

            var serverCpuBefore = server.ReadCpuSeconds();
            var clientCpuBefore = ClientCpuSeconds();
            var started = Stopwatch.GetTimestamp();
            var acked = await PublishSpreadAsync(subscribers, publisher, Sizes.MerchantOrders, cancellationToken);
            var serverCpu = server.ReadCpuSeconds() - serverCpuBefore;
            var clientCpu = ClientCpuSeconds() - clientCpuBefore;
            var (_, p99, _) = latencies.Percentiles();
            return new Dictionary<string, double>
            {
                ["acked_orders_per_s"] = Sizes.MerchantOrders * (double)Stopwatch.Frequency / (acked - started),
                ["p99_ms"] = p99,
                ["server_cpu_us_per_order"] = serverCpu * 1e6 / Sizes.MerchantOrders,
                ["client_cpu_us_per_order"] = clientCpu * 1e6 / Sizes.MerchantOrders,
            };
        }
        finally
        {
            await stop.CancelAsync();
            DisposeAll(subscribers);
            await Task.WhenAll(readers);
        }
    }

    /// <summary>Publishes <paramref name="count"/> orders round the merchants; returns when the last ack came, after checking every delivery.</summary>
    private static async Task<long> PublishSpreadAsync(List<BenchSubscriber> subscribers, BenchPublisher publisher, int count, CancellationToken cancellationToken)
    {
        var expected = subscribers.Sum(s => s.Received) + count;
        for (var i = 0; i < count; i++)
        {
            await publisher.PublishAsync("m-" + (publisher.Published % subscribers.Count), cancellationToken);
        }

        await publisher.WaitForAcksAsync(TimeSpan.FromSeconds(60));
        var acked = Stopwatch.GetTimestamp();
        await WaitUntilAsync(() => subscribers.Sum(s => s.Received) >= expected || subscribers.Any(s => s.Failure is not null),
            TimeSpan.FromSeconds(30), "every delivery", cancellationToken);
        ThrowIfAnyFailed(subscribers, publisher);
        return acked;
    }
}
