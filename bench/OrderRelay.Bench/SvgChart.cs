using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;

namespace OrderRelay.Bench;

/// <summary>
/// Draws the results (the JSON lines the bench prints) as an SVG of small bar panels, one per
/// headline metric: median bars with min–max whiskers, one colour per server.
/// </summary>
internal static class SvgChart
{
    private const int PanelWidth = 260;
    private const int PanelHeight = 220;
    private const int PlotTop = 48;
    private const int PlotBottom = 180;
    private static readonly string[] Colours = ["#2b6cb0", "#dd6b20", "#718096"];

    private static readonly (string Scenario, string Metric, string Title)[] Panels =
    [
        ("broadcast", "deliveries_per_s", "Broadcast, 1,000 subscribers: deliveries/s"),
        ("latency", "p50_ms", "At 200,000 deliveries/s: p50 latency, ms"),
        ("latency", "p99_ms", "At 200,000 deliveries/s: p99 latency, ms"),
        ("merchants", "acked_orders_per_s", "10,000 merchants: acked orders/s"),
        ("idle", "kib_per_connection", "Idle: relay memory per connection, KiB"),
        ("storm", "caught_up_s", "Reconnect storm: all caught up, s"),
    ];

    public static string Render(IReadOnlyList<JsonObject> results)
    {
        var panels = Panels.Where(p => Find(results, p.Scenario)?["results"] is JsonObject).ToList();
        var servers = results.SelectMany(r => ((JsonObject)r["results"]!).Select(s => s.Key)).Distinct().ToList();
        var width = Math.Max(1, panels.Count) * PanelWidth;
        var svg = new StringBuilder();
        Append(svg, $"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"{PanelHeight + 24}\" font-family=\"sans-serif\" font-size=\"11\">");
        Append(svg, $"<rect width=\"{width}\" height=\"{PanelHeight + 24}\" fill=\"white\"/>");
        for (var i = 0; i < servers.Count; i++)
        {
            Append(svg, $"<rect x=\"{10 + i * 120}\" y=\"{PanelHeight + 8}\" width=\"10\" height=\"10\" fill=\"{Colours[i % Colours.Length]}\"/><text x=\"{24 + i * 120}\" y=\"{PanelHeight + 17}\">{servers[i]}</text>");
        }

        for (var p = 0; p < panels.Count; p++)
        {
            DrawPanel(svg, p * PanelWidth, panels[p].Title, (JsonObject)Find(results, panels[p].Scenario)!["results"]!, panels[p].Metric, servers);
        }

        svg.AppendLine("</svg>");
        return svg.ToString();
    }

    private static void DrawPanel(StringBuilder svg, int left, string title, JsonObject results, string metric, List<string> servers)
    {
        Append(svg, $"<text x=\"{left + PanelWidth / 2}\" y=\"20\" text-anchor=\"middle\" font-weight=\"bold\">{title}</text>");
        var stats = servers.Select(s => results[s]?[metric] as JsonObject).ToList();
        var top = stats.Where(s => s is not null).Select(s => (double)s!["max"]!).DefaultIfEmpty(1).Max() * 1.15;
        var scale = (PlotBottom - PlotTop) / (top <= 0 ? 1 : top);
        Append(svg, $"<line x1=\"{left + 20}\" y1=\"{PlotBottom}\" x2=\"{left + PanelWidth - 20}\" y2=\"{PlotBottom}\" stroke=\"#333\"/>");
        var barWidth = 50;
        for (var i = 0; i < servers.Count; i++)
        {
            if (stats[i] is not { } stat)
            {
                continue;
            }

            var median = (double)stat["median"]!;
            var x = left + PanelWidth / 2 - servers.Count * (barWidth + 10) / 2 + i * (barWidth + 10);
            var height = median * scale;
            Append(svg, $"<rect x=\"{x}\" y=\"{PlotBottom - height:0.#}\" width=\"{barWidth}\" height=\"{height:0.#}\" fill=\"{Colours[i % Colours.Length]}\"/>");
            var low = PlotBottom - (double)stat["min"]! * scale;
            var high = PlotBottom - (double)stat["max"]! * scale;
            Append(svg, $"<line x1=\"{x + barWidth / 2}\" y1=\"{low:0.#}\" x2=\"{x + barWidth / 2}\" y2=\"{high:0.#}\" stroke=\"#111\"/>");
            Append(svg, $"<text x=\"{x + barWidth / 2}\" y=\"{Math.Min(high, PlotBottom - height) - 4:0.#}\" text-anchor=\"middle\">{BenchRunner.Format(median)}</text>");
            Append(svg, $"<text x=\"{x + barWidth / 2}\" y=\"{PlotBottom + 14}\" text-anchor=\"middle\">{servers[i]}</text>");
        }
    }

    private static JsonObject? Find(IReadOnlyList<JsonObject> results, string scenario) =>
        results.LastOrDefault(r => (string?)r["scenario"] == scenario);

    private static void Append(StringBuilder svg, FormattableString line) => svg.AppendLine(line.ToString(CultureInfo.InvariantCulture));
}
