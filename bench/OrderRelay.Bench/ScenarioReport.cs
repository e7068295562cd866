using System.Text.Json.Nodes;

namespace OrderRelay.Bench;

/// <summary>Every run of one scenario against every server, summarised as medians, spreads and ratios.</summary>
internal sealed class ScenarioReport(Scenario scenario, IReadOnlyList<string> servers)
{
    private readonly Dictionary<string, List<IReadOnlyDictionary<string, double>>> _runs = servers.ToDictionary(s => s, _ => new List<IReadOnlyDictionary<string, double>>());
    private readonly List<string> _failures = [];

    public Scenario Scenario { get; } = scenario;

    public IReadOnlyList<string> Servers { get; } = servers;

    public IReadOnlyList<string> Failures => _failures;

    public void AddRun(string server, IReadOnlyDictionary<string, double> values) => _runs[server].Add(values);

    public void AddFailure(string server, string message) => _failures.Add($"{server}: {message}");

    public IReadOnlyList<double> Values(string server, string metric) => _runs[server].Select(r => r[metric]).ToList();

    public double? Median(string server, string metric) => Summary.Median(Values(server, metric));

    /// <summary>First server's median over the second's (OrderRelay ÷ peer); null when either has no run.</summary>
    public double? Ratio(string metric) =>
        Servers.Count == 2 && Median(Servers[0], metric) is { } mine && Median(Servers[1], metric) is { } theirs && theirs != 0 ? mine / theirs : null;

    public JsonObject ToJson()
    {
        var results = new JsonObject();
        foreach (var server in Servers)
        {
            var metrics = new JsonObject();
            foreach (var metric in Scenario.Metrics)
            {
                var values = Values(server, metric.Key);
                if (values.Count == 0)
                {
                    continue;
                }

                metrics[metric.Key] = new JsonObject
                {
                    ["median"] = Round(Summary.Median(values)!.Value),
                    ["min"] = Round(values.Min()),
                    ["max"] = Round(values.Max()),
                    ["runs"] = new JsonArray([.. values.Select(v => (JsonNode)Round(v))]),
                };
            }

            results[server] = metrics;
        }

        var ratios = new JsonObject();
        foreach (var metric in Scenario.Metrics)
        {
            if (Ratio(metric.Key) is { } ratio)
            {
                ratios[metric.Key] = Math.Round(ratio, 3);
            }
        }

        return new JsonObject
        {
            ["scenario"] = Scenario.Name,
            ["store"] = Scenario.Store,
            ["load"] = Scenario.Description,
            ["results"] = results,
            ["ratios"] = ratios,
            ["failures"] = new JsonArray([.. _failures.Select(f => (JsonNode)f)]),
        };
    }

    private static double Round(double value) => Math.Round(value, value >= 100 ? 0 : 3);
}

internal static class Summary
{
    public static double? Median(IReadOnlyList<double> values)
    {
        if (values.Count == 0)
        {
            return null;
        }

        var sorted = values.Order().ToList();
        var middle = sorted.Count / 2;
        return sorted.Count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
    }
}
