using System.Diagnostics;

namespace OrderRelay.Bench;

/// <summary>
/// Scenario 4: every subscriber drops, orders are published meanwhile, then all reconnect at
/// once with <c>since</c>; the time until each has every order it missed, no more, no less.
/// </summary>
internal sealed class StormScenario(BenchSizes sizes) : Scenario(sizes)
{
    public override string Name => "storm";

    public override IReadOnlyList<Metric> Metrics { get; } = [new("caught_up_s", "all caught up", "s", HigherIsBetter: false)];

    public override string Description =>
        $"{Sizes.StormSubscribers} unfiltered subscribers drop, {Sizes.StormOrders} orders published, all reconnect at once with since (each replays all {Sizes.StormOrders})";

    public override async Task<IReadOnlyDictionary<string, double>> RunOnceAsync(RunningServer server, CancellationToken cancellationToken)
    {
        var connector = Connector(server);
        using var publisher = await BenchPublisher.ConnectAsync(connector, Sizes.PublishWindow, cancellationToken);
        for (var i = 0; i < 10; i++)
        {
            await publisher.PublishAsync("m-1", cancellationToken);
        }

        await publisher.WaitForAcksAsync(TimeSpan.FromSeconds(10));
        var dropped = await ConnectSubscribersAsync(connector, Sizes.StormSubscribers, Sizes.ConnectConcurrency, _ => null, cancellationToken);
        var since = dropped[0].LastSeq;
        DisposeAll(dropped);

        for (var i = 0; i < Sizes.StormOrders; i++)
        {
            await publisher.PublishAsync("m-" + (i % 100), cancellationToken);
        }

        await publisher.WaitForAcksAsync(TimeSpan.FromSeconds(30));
        var newest = publisher.LastAckedSeq;

        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var readers = new Task[Sizes.StormSubscribers];
        var subscribers = new BenchSubscriber?[Sizes.StormSubscribers];
        var started = Stopwatch.GetTimestamp();
        // All at once, as pages do when the network comes back: no concurrency limit here.
        await Task.WhenAll(Enumerable.Range(0, Sizes.StormSubscribers).Select(async i =>
        {
            var subscriber = subscribers[i] = await BenchSubscriber.ConnectAsync(connector, merchant: null, since, cancellationToken);
            readers[i] = Task.Run(() => subscriber.RunAsync(stop.Token), CancellationToken.None);
        }));
        var reconnected = subscribers.Select(s => s!).ToList();
        try
        {
            await WaitUntilAsync(() => reconnected.All(s => s.Received >= Sizes.StormOrders || s.Failure is not null),
                TimeSpan.FromSeconds(60), "catching up", cancellationToken);
            var elapsed = Stopwatch.GetElapsedTime(started);
            ThrowIfAnyFailed(reconnected, publisher);
            if (reconnected.FirstOrDefault(s => s.Received != Sizes.StormOrders || s.LastSeq != newest) is { } wrong)
            {
                throw new BenchRunFailedException($"a subscriber got {wrong.Received} orders up to seq {wrong.LastSeq}; expected {Sizes.StormOrders} up to {newest}");
            }

            return new Dictionary<string, double> { ["caught_up_s"] = elapsed.TotalSeconds };
        }
        finally
        {
            await stop.CancelAsync();
            DisposeAll(reconnected);
            await Task.WhenAll(readers.Where(r => r is not null));
        }
    }
}
