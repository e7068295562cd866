namespace OrderRelay.Client.Wire;

/// <summary>Exponential back-off with jitter, so that many clients do not return at the same moment.</summary>
internal sealed class Backoff(TimeSpan first, TimeSpan max)
{
    private int _failures;

    public int Failures => _failures;

    public void Reset() => _failures = 0;

    public TimeSpan Next()
    {
        _failures++;
        var exponential = first.TotalMilliseconds * Math.Pow(2, Math.Min(_failures - 1, 30));
        var capped = Math.Min(max.TotalMilliseconds, exponential);
        return TimeSpan.FromMilliseconds(capped * (0.5 + (Random.Shared.NextDouble() / 2)));
    }
}
