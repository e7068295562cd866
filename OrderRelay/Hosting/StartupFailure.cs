using OrderRelay.Configuration;
using Serilog.Events;

namespace OrderRelay.Hosting;

/// <summary>
/// Start-up failures whose message says all an operator needs (a setting named, a port in use):
/// Program prints them as one line and exits with 2, so the host's own report of them, with a
/// stack trace, is left out of the log.
/// </summary>
internal static class StartupFailure
{
    private const string HostLoggerName = "Microsoft.Extensions.Hosting.Internal.Host";

    public static bool IsExplained(Exception exception) => exception is RelayStartupException or IOException;

    /// <summary>The host's "Hosting failed to start" event for a failure Program explains itself.</summary>
    public static bool IsHostReportOfExplained(LogEvent logEvent) =>
        logEvent.Exception is { } exception && IsExplained(exception)
        && logEvent.Properties.TryGetValue("SourceContext", out var source) && source is ScalarValue { Value: HostLoggerName };
}
