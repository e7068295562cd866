using System.Diagnostics;

namespace OrderRelay.Bench;

/// <summary>Scenario 3: many connected, silent subscribers; the server's memory per connection and its accept rate.</summary>
internal sealed class IdleScenario(BenchSizes sizes) : Scenario(sizes)
{
    private const int WarmUpConnections = 200;

    public override string Name => "idle";

    public override IReadOnlyList<Metric> Metrics { get; } =
    [
        new("kib_per_connection", "RSS per connection", "KiB", HigherIsBetter: false),
        new("connections_per_s", "connections/s", "1/s", HigherIsBetter: true),
        // What each connection costs either side: on two shared cores the rate above is set by both,
        // and the load generator's share is what once made it swing 3-4x from run to run (WsConnector).
        new("server_cpu_us_per_connection", "server CPU/accept", "µs", HigherIsBetter: false),
        new("client_cpu_us_per_connection", "load gen CPU/connect", "µs", HigherIsBetter: false),
    ];

    public override string Description =>
        $"{Sizes.IdleConnections} subscribers (hello answered by welcome) from {Sizes.SourceAddresses} loopback source addresses, {Sizes.ConnectConcurrency} connecting at once";

    public override async Task<IReadOnlyDictionary<string, double>> RunOnceAsync(RunningServer server, CancellationToken cancellationToken)
    {
        var connector = Connector(server);
        // Warm-up: the code paths of a connection are compiled and pooled before the baseline is read.
        DisposeAll(await ConnectPagesAsync(connector, WarmUpConnections, Sizes.ConnectConcurrency, i => "m-" + i, cancellationToken));
        var rssBefore = server.ReadRssBytes();

        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var waits = new System.Collections.Concurrent.ConcurrentBag<Task>();
        var cpuBefore = server.ReadCpuSeconds();
        var clientCpuBefore = ClientCpuSeconds();
        var started = Stopwatch.GetTimestamp();
        // Each waits (and so answers the server's pings) from the moment it is welcomed: on a busy
        // machine setting up 19,000 can outlast a server's ping timeout.
        var subscribers = await ConnectPagesAsync(connector, Sizes.IdleConnections, Sizes.ConnectConcurrency, i => "m-" + i, cancellationToken,
            subscriber => waits.Add(subscriber.IdleAsync(stop.Token)));
        var elapsed = Stopwatch.GetElapsedTime(started);
        var cpu = server.ReadCpuSeconds() - cpuBefore;
        var clientCpu = ClientCpuSeconds() - clientCpuBefore;
        try
        {
            // Every welcome has arrived, so the server has finished setting each connection up.
            var rssAfter = server.ReadRssBytes();
            ThrowIfAnyFailed(subscribers);
            return new Dictionary<string, double>
            {
                ["kib_per_connection"] = (rssAfter - rssBefore) / 1024.0 / subscribers.Count,
                ["connections_per_s"] = subscribers.Count / elapsed.TotalSeconds,
                ["server_cpu_us_per_connection"] = cpu * 1e6 / subscribers.Count,
                ["client_cpu_us_per_connection"] = clientCpu * 1e6 / subscribers.Count,
            };
        }
        finally
        {
            await stop.CancelAsync();
            await Task.WhenAll(waits);
            DisposeAll(subscribers);
        }
    }
}
