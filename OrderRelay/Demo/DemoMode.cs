namespace OrderRelay.Demo;

/// <summary>The <c>--demo</c> command-line switch, shorthand for <c>--Relay:Demo=true</c>.</summary>
internal static class DemoMode
{
    public const string Switch = "--demo";

    /// <summary>Rewrites <c>--demo</c> into configuration the command-line provider understands (it has no bare flags).</summary>
    public static string[] ExpandSwitch(string[] args) =>
        [.. args.Select(arg => string.Equals(arg, Switch, StringComparison.OrdinalIgnoreCase) ? "--Relay:Demo=true" : arg)];
}
