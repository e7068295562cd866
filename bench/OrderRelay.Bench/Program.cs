using System.Text.Json.Nodes;
using OrderRelay.Bench;

// OrderRelay.Bench [--servers orderrelay,node-ws] [--runs N] [--out results.jsonl] [--chart chart.svg] [--smoke] [scenario...]
// OrderRelay.Bench chart results.jsonl chart.svg   (redraws a chart from saved results)
var arguments = args.ToList();
if (arguments is ["chart", var input, var output])
{
    var saved = File.ReadLines(input).Where(l => l.Length > 0).Select(l => JsonNode.Parse(l)!.AsObject()).ToList();
    File.WriteAllText(output, SvgChart.Render(saved));
    return 0;
}

var sizes = Take(arguments, "--smoke") ? BenchSizes.Smoke : new BenchSizes();
if (Option(arguments, "--runs") is { } runs)
{
    sizes = sizes with { Runs = int.Parse(runs, System.Globalization.CultureInfo.InvariantCulture) };
}

var root = Option(arguments, "--root") ?? FindRepositoryRoot();
var servers = (Option(arguments, "--servers") ?? $"{ProcessLauncher.OrderRelay},{ProcessLauncher.NodeWs}").Split(',');
var outFile = Option(arguments, "--out");
var chartFile = Option(arguments, "--chart");
// In the storm, merchant pages follow their own merchant: 2,000 pages of 200 merchants, ten each.
const int StormMerchants = 200;
var available = new Dictionary<string, Func<Scenario>>
{
    ["broadcast"] = () => new BroadcastScenario(sizes, fixedRate: false),
    ["latency"] = () => new BroadcastScenario(sizes, fixedRate: true),
    // A quarter of the rate: latency when the machine is not saturated.
    ["latency-50"] = () => new BroadcastScenario(sizes with { LatencyOrdersPerSecond = 50 }, fixedRate: true),
    // A trickle: each order reaches every subscriber alone, so nothing batches; the floor of this set-up.
    ["latency-5"] = () => new BroadcastScenario(sizes with { LatencyOrdersPerSecond = 5 }, fixedRate: true),
    ["sqlite-broadcast"] = () => new BroadcastScenario(sizes, fixedRate: false, store: "sqlite"),
    ["sqlite-latency-50"] = () => new BroadcastScenario(sizes with { LatencyOrdersPerSecond = 50 }, fixedRate: true, store: "sqlite"),
    // Two OrderRelay nodes on one redis-server, subscribers split between them (issue: scale out).
    ["redis-cluster-broadcast"] = () => new BroadcastScenario(sizes, fixedRate: false, store: ProcessLauncher.RedisCluster),
    ["redis-cluster-latency-50"] = () => new BroadcastScenario(sizes with { LatencyOrdersPerSecond = 50 }, fixedRate: true, store: ProcessLauncher.RedisCluster),
    ["merchants"] = () => new MerchantsScenario(sizes, "memory"),
    ["merchants-sqlite"] = () => new MerchantsScenario(sizes, "sqlite"),
    ["idle"] = () => new IdleScenario(sizes),
    ["storm"] = () => new StormScenario(sizes, merchants: StormMerchants),
    ["shop-day"] = () => new ShopDayScenario(sizes),
    ["storm-broadcast"] = () => new StormScenario(sizes, merchants: 0),
};
var chosen = arguments.Count > 0 ? arguments : ["broadcast", "latency", "latency-50", "merchants", "merchants-sqlite", "idle", "storm", "storm-broadcast", "shop-day"];
if (chosen.FirstOrDefault(name => !available.ContainsKey(name)) is { } unknown)
{
    Console.Error.WriteLine($"Unknown scenario or option '{unknown}'. Scenarios: {string.Join(' ', available.Keys)}");
    return 2;
}

using var interrupted = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) => { e.Cancel = true; interrupted.Cancel(); };
// Stopped by a signal, the run unwinds so that the servers it started are stopped too.
using var onTerminate = System.Runtime.InteropServices.PosixSignalRegistration.Create(System.Runtime.InteropServices.PosixSignal.SIGTERM,
    context => { context.Cancel = true; interrupted.Cancel(); });
// A server is named, optionally with the checkout it runs from: orderrelay-before=/tmp/old-checkout
var launchers = servers.Select(s => s.Split('=', 2)).Select(s => (IServerLauncher)new ProcessLauncher(s[0], s.Length > 1 ? s[1] : root)).ToList();
var runner = new BenchRunner(launchers, sizes.Runs, Console.Out);
var reports = new List<ScenarioReport>();
var lines = new List<JsonObject>();
foreach (var name in chosen)
{
    var report = await runner.RunAsync(available[name](), interrupted.Token);
    reports.Add(report);
    var json = report.ToJson();
    json["machine"] = $"{Environment.ProcessorCount} cores, {Environment.OSVersion}, .NET {Environment.Version}";
    json["at"] = DateTimeOffset.UtcNow.ToString("u", System.Globalization.CultureInfo.InvariantCulture);
    lines.Add(json);
    Console.WriteLine(json.ToJsonString());
    if (outFile is not null)
    {
        File.AppendAllText(outFile, json.ToJsonString() + Environment.NewLine);
    }
}

Console.WriteLine();
Console.WriteLine(BenchRunner.Table(reports));
if (chartFile is not null)
{
    File.WriteAllText(chartFile, SvgChart.Render(lines));
}

return 0;

static bool Take(List<string> arguments, string flag) => arguments.Remove(flag);

static string? Option(List<string> arguments, string name)
{
    var at = arguments.IndexOf(name);
    if (at < 0 || at + 1 >= arguments.Count)
    {
        return null;
    }

    var value = arguments[at + 1];
    arguments.RemoveRange(at, 2);
    return value;
}

static string FindRepositoryRoot()
{
    for (var directory = new DirectoryInfo(Environment.CurrentDirectory); directory is not null; directory = directory.Parent)
    {
        if (File.Exists(Path.Combine(directory.FullName, "OrderRelay.sln")))
        {
            return directory.FullName;
        }
    }

    throw new InvalidOperationException("Run the bench inside the repository or pass --root.");
}
