using System.Globalization;
using System.Text;

namespace OrderRelay.Bench;

/// <summary>
/// Runs each scenario against each server, alternating (A B, then B A, ...) so that noise from
/// the shared machine falls on both alike; every run gets a freshly started server.
/// </summary>
internal sealed class BenchRunner(IReadOnlyList<IServerLauncher> launchers, int runs, TextWriter log)
{
    public async Task<ScenarioReport> RunAsync(Scenario scenario, CancellationToken cancellationToken)
    {
        var report = new ScenarioReport(scenario, launchers.Select(l => l.Name).ToList());
        log.WriteLine($"# {scenario.Name}: {scenario.Description}");
        var unsupported = new HashSet<string>();
        for (var run = 0; run < runs; run++)
        {
            var order = run % 2 == 0 ? launchers : launchers.Reverse();
            foreach (var launcher in order.Where(l => !unsupported.Contains(l.Name)))
            {
                try
                {
                    await using var server = await launcher.StartAsync(scenario.Store, cancellationToken);
                    var values = await scenario.RunOnceAsync(server, cancellationToken);
                    report.AddRun(launcher.Name, values);
                    log.WriteLine($"  run {run + 1} {launcher.Name,-10} " + string.Join("  ", values.Select(v => $"{v.Key}={Format(v.Value)}")));
                }
                catch (NotSupportedException ex)
                {
                    unsupported.Add(launcher.Name);
                    report.AddFailure(launcher.Name, "skipped: " + ex.Message);
                    log.WriteLine($"  {launcher.Name} skipped: {ex.Message}");
                }
                catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
                {
                    log.WriteLine("  interrupted");
                    return report;
                }
                catch (Exception ex) when (ex is BenchRunFailedException or TimeoutException or IOException or System.Net.WebSockets.WebSocketException or InvalidOperationException)
                {
                    report.AddFailure(launcher.Name, $"run {run + 1}: {ex.Message}");
                    log.WriteLine($"  run {run + 1} {launcher.Name,-10} FAILED: {ex.Message}");
                }
            }
        }

        return report;
    }

    /// <summary>A readable table: median (min–max) per server, and the ratio of the first to the second.</summary>
    public static string Table(IEnumerable<ScenarioReport> reports)
    {
        var text = new StringBuilder();
        var reportList = reports.ToList();
        var servers = reportList.FirstOrDefault()?.Servers ?? [];
        text.Append(CultureInfo.InvariantCulture, $"{"scenario",-18}{"metric",-26}");
        foreach (var server in servers)
        {
            text.Append(CultureInfo.InvariantCulture, $"{server + " median (min-max)",-36}");
        }

        text.AppendLine(servers.Count == 2 ? $"{servers[0]} ÷ {servers[1]}" : "");
        foreach (var report in reportList)
        {
            foreach (var metric in report.Scenario.Metrics)
            {
                text.Append(CultureInfo.InvariantCulture, $"{report.Scenario.Name,-18}{metric.Label + " (" + metric.Unit + ")",-26}");
                foreach (var server in servers)
                {
                    var values = report.Values(server, metric.Key);
                    var cell = values.Count == 0 ? "-" : $"{Format(Summary.Median(values)!.Value)} ({Format(values.Min())}-{Format(values.Max())})";
                    text.Append(CultureInfo.InvariantCulture, $"{cell,-36}");
                }

                text.AppendLine(report.Ratio(metric.Key) is { } ratio ? ratio.ToString("0.00", CultureInfo.InvariantCulture) : "");
            }
        }

        return text.ToString();
    }

    public static string Format(double value) => value switch
    {
        double.NaN => "n/a",
        >= 1000 => value.ToString("#,0", CultureInfo.InvariantCulture),
        >= 10 => value.ToString("0.0", CultureInfo.InvariantCulture),
        _ => value.ToString("0.00", CultureInfo.InvariantCulture),
    };
}
