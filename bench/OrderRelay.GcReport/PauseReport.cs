using System.Globalization;
using Microsoft.Diagnostics.Tracing;

namespace OrderRelay.GcReport;

/// <summary>
/// Each collection: its generation, how long the process was paused, how that pause divides
/// into suspending the threads, each marking phase (roots from stacks, handles, older
/// generations through the card table, ...) and the rest (planning, relocating, compacting),
/// and the heap it left.
/// </summary>
internal static class PauseReport
{
    /// <summary>GCMarkWithType's root kinds, in the runtime's numbering.</summary>
    private static readonly string[] MarkPhases = ["stacks", "finalizer queue", "handles", "older generations", "sized refs", "overflow", "dependent handles", "new finalizer queue", "steal"];

    public static int Print(string tracePath)
    {
        using var source = new EventPipeEventSource(tracePath);
        var suspendedAt = 0.0;
        var lastStepAt = 0.0;
        var generation = -1;
        var heap = "";
        var steps = new List<string>();
        source.Clr.GCSuspendEEStart += suspend =>
        {
            suspendedAt = lastStepAt = suspend.TimeStampRelativeMSec;
            steps.Clear();
        };
        source.Clr.GCSuspendEEStop += suspended => lastStepAt = Step(steps, "suspend", lastStepAt, suspended.TimeStampRelativeMSec);
        source.Clr.GCStart += start => generation = start.Depth;
        source.Clr.GCMarkWithType += mark => lastStepAt = Step(steps,
            mark.Type < MarkPhases.Length ? MarkPhases[mark.Type] : "mark " + mark.Type, lastStepAt, mark.TimeStampRelativeMSec);
        source.Clr.GCHeapStats += stats => heap = string.Create(CultureInfo.InvariantCulture,
            $"gen0 promoted {stats.TotalPromotedSize0 / 1e6:F1} MB, gen1 {stats.GenerationSize1 / 1e6:F1} MB, gen2 {stats.GenerationSize2 / 1e6:F1} MB");
        source.Clr.GCRestartEEStop += restart =>
        {
            Step(steps, "rest", lastStepAt, restart.TimeStampRelativeMSec);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{restart.TimeStampRelativeMSec / 1000,7:F2} s  gen{generation}  paused {restart.TimeStampRelativeMSec - suspendedAt,6:F1} ms  ({string.Join(", ", steps)})  {heap}"));
        };
        source.Process();
        return 0;
    }

    /// <summary>Notes a step of the pause that took at least a millisecond, and returns when it ended.</summary>
    private static double Step(List<string> steps, string name, double startedAt, double endedAt)
    {
        if (endedAt - startedAt >= 1)
        {
            steps.Add(string.Create(CultureInfo.InvariantCulture, $"{name} {endedAt - startedAt:F1}"));
        }

        return endedAt;
    }
}
