using Serilog;
using Serilog.Configuration;

namespace OrderRelay.Tests.Support;

/// <summary>The <c>WriteTo</c> method by which a relay's Serilog settings (<see cref="RelayLog.Settings"/>) name a <see cref="Support.RelayLog"/>.</summary>
public static class RelayLogSink
{
    public static LoggerConfiguration RelayLog(this LoggerSinkConfiguration sinks, string name) => sinks.Sink(Support.RelayLog.Named(name));
}
