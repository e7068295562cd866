using OrderRelay.Bench;
using OrderRelay.Tests.Support;

namespace OrderRelay.Tests.Bench;

/// <summary>
/// Runs each benchmark scenario at tiny sizes against an in-process relay, so the bench
/// cannot rot. Figures are not asserted (speed belongs in docs/benchmarks.md); that each
/// run completes with every order delivered, and yields its metrics, is.
/// </summary>
[CancelAfter(60_000)]
public sealed class BenchSmokeTests
{
    private static readonly string[] Scenarios = ["broadcast", "latency", "merchants", "idle", "storm", "storm-broadcast", "shop-day"];

    [TestCaseSource(nameof(Scenarios))]
    public async Task Scenario_AtSmokeSizes_CompletesWithEveryMetric(string name, CancellationToken cancellationToken)
    {
        var scenario = Create(name);
        var runner = new BenchRunner([new InProcessRelayLauncher()], runs: 1, TextWriter.Null);

        var report = await runner.RunAsync(scenario, cancellationToken);

        Assert.That(report.Failures, Is.Empty);
        foreach (var metric in scenario.Metrics)
        {
            Assert.That(report.Values("orderrelay", metric.Key), Has.Count.EqualTo(1).And.All.Not.NaN, metric.Key);
        }
    }

    /// <summary>The floor peer (bench/peers/kestrel-floor) as the bench starts it, from the build the tests run from.</summary>
    [TestCaseSource(nameof(Scenarios))]
    public async Task KestrelFloorPeer_AtSmokeSizes_CompletesWithEveryMetric(string name, CancellationToken cancellationToken)
    {
        var scenario = Create(name);
        var configuration = new DirectoryInfo(AppContext.BaseDirectory).Parent!.Name;
        var floor = new ProcessLauncher(ProcessLauncher.KestrelFloor, RepositoryRoot.Path, configuration);
        var runner = new BenchRunner([floor], runs: 1, TextWriter.Null);

        var report = await runner.RunAsync(scenario, cancellationToken);

        Assert.That(report.Failures, Is.Empty);
        foreach (var metric in scenario.Metrics)
        {
            Assert.That(report.Values(ProcessLauncher.KestrelFloor, metric.Key), Has.Count.EqualTo(1).And.All.Not.NaN, metric.Key);
        }
    }

    [Test]
    public async Task Scenario_WhenTheRelayRefusesPublishes_FailsNamingTheRefusalInsteadOfHanging(CancellationToken cancellationToken)
    {
        // The relay's default publish limits are what once hung this test on a quiet machine:
        // an unthrottled publisher outran the burst and waited for acks that were never coming.
        var throttled = new InProcessRelayLauncher("Relay:Limits:PublishRatePerSecond=50", "Relay:Limits:PublishBurst=50");
        var runner = new BenchRunner([throttled], runs: 1, TextWriter.Null);

        var report = await runner.RunAsync(Create("broadcast"), cancellationToken);

        Assert.That(report.Failures, Has.Some.Contain("rate_limited"));
    }

    [Test]
    public async Task Report_OfSmokeRun_RendersJsonLineAndChart(CancellationToken cancellationToken)
    {
        var runner = new BenchRunner([new InProcessRelayLauncher()], runs: 1, TextWriter.Null);
        var report = await runner.RunAsync(Create("broadcast"), cancellationToken);

        var json = report.ToJson();
        var svg = SvgChart.Render([json]);

        Assert.That(json["results"]!["orderrelay"]!["deliveries_per_s"]!["median"]!.GetValue<double>(), Is.GreaterThan(0));
        Assert.That(svg, Does.StartWith("<svg").And.Contain("deliveries/s"));
    }

    private static Scenario Create(string name) => name switch
    {
        "broadcast" => new BroadcastScenario(BenchSizes.Smoke, fixedRate: false),
        "latency" => new BroadcastScenario(BenchSizes.Smoke, fixedRate: true),
        "merchants" => new MerchantsScenario(BenchSizes.Smoke, "memory"),
        "idle" => new IdleScenario(BenchSizes.Smoke),
        "storm" => new StormScenario(BenchSizes.Smoke, merchants: 5),
        "storm-broadcast" => new StormScenario(BenchSizes.Smoke, merchants: 0),
        "shop-day" => new ShopDayScenario(BenchSizes.Smoke),
        _ => throw new ArgumentOutOfRangeException(nameof(name)),
    };

    /// <summary>
    /// The relay as the tests start it, with the publish and per-address limits lifted as the
    /// process launcher lifts them (the bench measures the relay, not its limits); memory and CPU are read
    /// from this test process.
    /// </summary>
    private sealed class InProcessRelayLauncher(params string[] settings) : IServerLauncher
    {
        private static readonly string[] Unthrottled =
        [
            "Relay:Limits:PublishRatePerSecond=10000000", "Relay:Limits:PublishBurst=10000000",
            "Relay:Limits:MaxConnectionsPerAddress=100000", "Relay:Limits:MaxPendingHandshakesPerAddress=100000", "Relay:Limits:MaxPendingHandshakes=100000",
        ];

        public string Name => "orderrelay";

        public async Task<RunningServer> StartAsync(string store, CancellationToken cancellationToken)
        {
            var relay = await RelayServer.StartAsync([.. Unthrottled, .. settings, "Relay:Store=" + store]);
            return new RunningServer(relay.WebSocketUri, Environment.ProcessId, relay.DisposeAsync);
        }
    }
}
