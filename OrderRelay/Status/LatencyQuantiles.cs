using System.Globalization;
using OrderRelay.Diagnostics;

namespace OrderRelay.Status;

/// <summary>
/// Quantiles of the publish→send histogram since the relay started, read from its exported
/// buckets (prometheus-net keeps bucket counts private): each is the upper bound of the bucket
/// it falls in, as Prometheus' <c>histogram_quantile</c> would bound it.
/// </summary>
internal static class LatencyQuantiles
{
    private const string BucketPrefix = "orderrelay_publish_to_send_seconds_bucket{le=\"";

    /// <returns>The bound for each quantile asked for; null while nothing has been observed.</returns>
    public static async Task<LatencyBound?[]> ReadAsync(RelayMetrics metrics, IReadOnlyList<double> quantiles, CancellationToken cancellationToken)
    {
        using var text = new MemoryStream();
        await metrics.Registry.CollectAndExportAsTextAsync(text, cancellationToken).ConfigureAwait(false);
        text.Position = 0;
        using var reader = new StreamReader(text);
        var buckets = new List<(double UpperBound, double Count)>();
        while (await reader.ReadLineAsync(cancellationToken).ConfigureAwait(false) is { } line)
        {
            if (!line.StartsWith(BucketPrefix, StringComparison.Ordinal))
            {
                continue;
            }

            var boundEnd = line.IndexOf('"', BucketPrefix.Length);
            var bound = line[BucketPrefix.Length..boundEnd];
            buckets.Add((bound == "+Inf" ? double.PositiveInfinity : double.Parse(bound, CultureInfo.InvariantCulture),
                double.Parse(line[(line.LastIndexOf(' ') + 1)..], CultureInfo.InvariantCulture)));
        }

        var total = buckets.Count > 0 ? buckets[^1].Count : 0;
        return [.. quantiles.Select(quantile => total == 0 ? null : BoundOf(buckets, buckets.FindIndex(bucket => bucket.Count >= quantile * total)))];
    }

    private static LatencyBound BoundOf(List<(double UpperBound, double Count)> buckets, int index) =>
        double.IsPositiveInfinity(buckets[index].UpperBound)
            ? new LatencyBound(index > 0 ? buckets[index - 1].UpperBound * 1000 : 0, Over: true)
            : new LatencyBound(buckets[index].UpperBound * 1000, Over: false);
}
