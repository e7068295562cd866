namespace OrderRelay.Tests.Support;

/// <summary>A clock the test moves by hand, for retention by age.</summary>
internal sealed class ManualClock(DateTimeOffset start) : TimeProvider
{
    public DateTimeOffset Now { get; set; } = start;

    public override DateTimeOffset GetUtcNow() => Now;
}
