using System.Globalization;
using Microsoft.Diagnostics.Tracing.Etlx;
using Microsoft.Diagnostics.Tracing.Parsers.Clr;

namespace OrderRelay.GcReport;

/// <summary>
/// Bytes allocated by type and by call stack, from the runtime's allocation ticks (one sample
/// per about 100 KB allocated, each weighted by the bytes it stands for).
/// </summary>
internal static class AllocationReport
{
    private const int StackDepth = 8;

    public static int Print(string tracePath, int topStacks)
    {
        using var trace = new TraceLog(TraceLog.CreateFromEventPipeDataFile(tracePath));
        var byType = new Dictionary<string, long>();
        var byStack = new Dictionary<string, long>();
        long total = 0;
        var seconds = 0.0;
        // TraceEvents implements only the generic enumerator, so no OfType here.
        foreach (var traceEvent in trace.Events)
        {
            if (traceEvent is not GCAllocationTickTraceData tick)
            {
                continue;
            }

            total += tick.AllocationAmount64;
            seconds = tick.TimeStampRelativeMSec / 1000;
            var type = tick.TypeName ?? "?";
            byType[type] = byType.GetValueOrDefault(type) + tick.AllocationAmount64;
            var stack = type + Environment.NewLine + string.Join(Environment.NewLine, Frames(tick.CallStack()).Select(frame => "      " + frame));
            byStack[stack] = byStack.GetValueOrDefault(stack) + tick.AllocationAmount64;
        }

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{total / 1e6:F1} MB allocated in {seconds:F1} s"));
        foreach (var (type, bytes) in byType.OrderByDescending(entry => entry.Value).Take(30))
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{bytes / 1e6,8:F2} MB  {type}"));
        }

        Console.WriteLine();
        foreach (var (stack, bytes) in byStack.OrderByDescending(entry => entry.Value).Take(topStacks))
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{bytes / 1e6,8:F2} MB  {stack}"));
            Console.WriteLine();
        }

        return 0;
    }

    private static IEnumerable<string> Frames(TraceCallStack? stack)
    {
        var taken = 0;
        for (; stack is not null && taken < StackDepth; stack = stack.Caller)
        {
            var method = stack.CodeAddress.FullMethodName;
            if (!string.IsNullOrEmpty(method))
            {
                taken++;
                yield return method.Length > 120 ? method[..120] : method;
            }
        }
    }
}
