using System.Globalization;
using Microsoft.Diagnostics.Tracing;

namespace OrderRelay.GcReport;

/// <summary>
/// Each collection: its generation, how long the process was paused, how long marking from
/// older generations (the card table) took, and the heap it left.
/// </summary>
internal static class PauseReport
{
    /// <summary>GCMarkWithType's root kind for references found in older generations.</summary>
    private const int MarkOlder = 3;

    public static int Print(string tracePath)
    {
        using var source = new EventPipeEventSource(tracePath);
        var suspendedAt = 0.0;
        var lastMarkAt = 0.0;
        var markOlderMs = 0.0;
        var generation = -1;
        var heap = "";
        source.Clr.GCSuspendEEStart += suspend => suspendedAt = lastMarkAt = suspend.TimeStampRelativeMSec;
        source.Clr.GCStart += start => generation = start.Depth;
        source.Clr.GCMarkWithType += mark =>
        {
            if (mark.Type == MarkOlder)
            {
                markOlderMs = mark.TimeStampRelativeMSec - lastMarkAt;
            }

            lastMarkAt = mark.TimeStampRelativeMSec;
        };
        source.Clr.GCHeapStats += stats => heap = string.Create(CultureInfo.InvariantCulture,
            $"gen0 promoted {stats.TotalPromotedSize0 / 1e6:F1} MB, gen1 {stats.GenerationSize1 / 1e6:F1} MB, gen2 {stats.GenerationSize2 / 1e6:F1} MB");
        source.Clr.GCRestartEEStop += restart => Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{restart.TimeStampRelativeMSec / 1000,7:F2} s  gen{generation}  paused {restart.TimeStampRelativeMSec - suspendedAt,6:F1} ms  (marking from older generations {markOlderMs:F1} ms)  {heap}"));
        source.Process();
        return 0;
    }
}
