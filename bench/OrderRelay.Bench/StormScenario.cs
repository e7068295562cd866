using System.Diagnostics;

namespace OrderRelay.Bench;

/// <summary>
/// Scenario 4: every subscriber drops, orders are published meanwhile, then all reconnect at
/// once with <c>since</c>; the time until each has every order it missed, no more, no less.
/// </summary>
/// <param name="merchants">Subscribers and orders are spread round this many merchants; 0: every subscriber takes every order.</param>
internal sealed class StormScenario(BenchSizes sizes, int merchants) : Scenario(sizes)
{
    public override string Name => merchants == 0 ? "storm-broadcast" : "storm";

    public override IReadOnlyList<Metric> Metrics { get; } = [new("caught_up_s", "all caught up", "s", HigherIsBetter: false)];

    public override string Description => merchants == 0
        ? $"{Sizes.StormSubscribers} unfiltered subscribers drop, {Sizes.StormOrders} orders published, all reconnect at once with since (each replays all {Sizes.StormOrders})"
        : $"{Sizes.StormSubscribers} subscribers of {merchants} merchants drop, {Sizes.StormOrders} orders published round the merchants, all reconnect at once with since (each replays {Sizes.StormOrders / merchants})";

    private string? MerchantOf(int index) => merchants == 0 ? null : "m-" + (index % merchants);

    private int Missed(int index) => merchants == 0 ? Sizes.StormOrders : Sizes.StormOrders / merchants + (index % merchants < Sizes.StormOrders % merchants ? 1 : 0);

    public override async Task<IReadOnlyDictionary<string, double>> RunOnceAsync(RunningServer server, CancellationToken cancellationToken)
    {
        var connector = Connector(server);
        using var publisher = await BenchPublisher.ConnectAsync(connector, Sizes.PublishWindow, cancellationToken);
        for (var i = 0; i < 10; i++)
        {
            await publisher.PublishAsync("m-1", cancellationToken);
        }

        await publisher.WaitForAcksAsync(TimeSpan.FromSeconds(10));
        var dropped = await ConnectSubscribersAsync(connector, Sizes.StormSubscribers, Sizes.ConnectConcurrency, MerchantOf, cancellationToken);
        var since = dropped[0].LastSeq;
        DisposeAll(dropped);

        for (var i = 0; i < Sizes.StormOrders; i++)
        {
            await publisher.PublishAsync("m-" + (i % Math.Max(1, merchants)), cancellationToken);
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
            var subscriber = subscribers[i] = await BenchSubscriber.ConnectAsync(connector, MerchantOf(i), since, cancellationToken);
            readers[i] = Task.Run(() => subscriber.RunAsync(stop.Token), CancellationToken.None);
        }));
        var reconnected = subscribers.Select(s => s!).ToList();
        try
        {
            await WaitUntilAsync(() => reconnected.Select((s, i) => s.Received >= Missed(i) || s.Failure is not null).All(done => done),
                TimeSpan.FromSeconds(60), "catching up", cancellationToken);
            var elapsed = Stopwatch.GetElapsedTime(started);
            ThrowIfAnyFailed(reconnected, publisher);
            if (Enumerable.Range(0, reconnected.Count).FirstOrDefault(i => reconnected[i].Received != Missed(i), -1) is var wrong and >= 0)
            {
                throw new BenchRunFailedException($"subscriber {wrong} got {reconnected[wrong].Received} orders; it missed {Missed(wrong)}");
            }

            if (merchants == 0 && reconnected.Any(s => s.LastSeq != newest))
            {
                throw new BenchRunFailedException($"a subscriber did not end at seq {newest}");
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
