using System.Diagnostics;

namespace OrderRelay.Bench;

/// <summary>Collects latency samples (Stopwatch ticks) into a fixed array; samples past its end are counted, not kept.</summary>
internal sealed class LatencyRecorder(int capacity)
{
    private readonly long[] _samples = new long[capacity];
    private int _count;

    public void Record(long ticks)
    {
        var index = Interlocked.Increment(ref _count) - 1;
        if (index < _samples.Length)
        {
            _samples[index] = ticks;
        }
    }

    public int Count => Math.Min(Volatile.Read(ref _count), _samples.Length);

    /// <summary>p50, p99 and max in milliseconds; NaN when nothing was recorded.</summary>
    public (double P50, double P99, double Max) Percentiles()
    {
        var count = Count;
        if (count == 0)
        {
            return (double.NaN, double.NaN, double.NaN);
        }

        var sorted = _samples.AsSpan(0, count);
        sorted.Sort();
        return (Milliseconds(sorted[(int)(count * 0.50)]), Milliseconds(sorted[Math.Min(count - 1, (int)(count * 0.99))]), Milliseconds(sorted[^1]));
    }

    private static double Milliseconds(long ticks) => ticks * 1000.0 / Stopwatch.Frequency;
}
