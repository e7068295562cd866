using System.Diagnostics;

namespace OrderRelay.Tests.Support;

/// <summary>
/// The one place the tests poll. Only for what announces nothing a test can await: a process that prints no
/// line when it is ready, a rate limit that refills on its own timer, a figure a background loop of the relay
/// updates on a clock of its own (the in-process relay runs on the system clock; only
/// <see cref="InMemoryRelay"/> takes a fake one). Everything else awaits the frame, line or event that says so.
/// Bounded generously for a loaded two-core machine; the bound fails the test with what was last seen.
/// </summary>
internal static class Eventually
{
    public static readonly TimeSpan DefaultBound = TimeSpan.FromSeconds(20);

    private static readonly TimeSpan DefaultInterval = TimeSpan.FromMilliseconds(50);

    /// <summary>Reads <paramref name="probe"/> until <paramref name="done"/> holds for what it read, and returns that.</summary>
    /// <param name="what">What is awaited, for the failure message.</param>
    public static async Task<T> UntilAsync<T>(Func<Task<T>> probe, Func<T, bool> done, string what, TimeSpan? bound = null, TimeSpan? interval = null)
    {
        var waited = Stopwatch.StartNew();
        while (true)
        {
            var value = await probe();
            if (done(value))
            {
                return value;
            }

            if (waited.Elapsed > (bound ?? DefaultBound))
            {
                Assert.Fail($"Waited {waited.Elapsed.TotalSeconds:0.0} s for {what}; last seen: {value}");
            }

            await Task.Delay(interval ?? DefaultInterval);
        }
    }

    public static Task UntilAsync(Func<Task<bool>> condition, string what, TimeSpan? bound = null, TimeSpan? interval = null) =>
        UntilAsync(condition, holds => holds, what, bound, interval);

    public static Task UntilAsync(Func<bool> condition, string what, TimeSpan? bound = null) =>
        UntilAsync(() => Task.FromResult(condition()), holds => holds, what, bound);
}
