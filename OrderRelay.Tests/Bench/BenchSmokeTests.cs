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
    private static readonly string[] Scenarios = ["broadcast", "latency", "merchants", "idle", "storm", "storm-broadcast"];

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
        _ => throw new ArgumentOutOfRangeException(nameof(name)),
    };

    /// <summary>The relay as the tests start it; memory and CPU are read from this test process.</summary>
    private sealed class InProcessRelayLauncher : IServerLauncher
    {
        public string Name => "orderrelay";

        public async Task<RunningServer> StartAsync(string store, CancellationToken cancellationToken)
        {
            var relay = await RelayServer.StartAsync("Relay:Store=" + store);
            return new RunningServer(relay.WebSocketUri, Environment.ProcessId, relay.DisposeAsync);
        }
    }
}
