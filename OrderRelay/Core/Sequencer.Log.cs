using Microsoft.Extensions.Logging;

namespace OrderRelay.Core;

internal sealed partial class Sequencer
{
    [LoggerMessage(EventId = 101, Level = LogLevel.Error,
        Message = "The store failed to append a batch of {Count} publishes; none was acknowledged, and publishes are refused until it takes one again")]
    private static partial void LogStoreAppendFailed(ILogger logger, Exception exception, int count);

    [LoggerMessage(EventId = 104, Level = LogLevel.Warning,
        Message = "The store takes publishes again after {Duration}; {Refused} publishes were refused with store_unavailable meanwhile")]
    private static partial void LogStoreAppendsResumed(ILogger logger, int refused, TimeSpan duration);

    [LoggerMessage(EventId = 105, Level = LogLevel.Warning,
        Message = "Relay:Escalation:MaxPending reached: new orders are accepted and delivered but get no escalation until pending ones are accepted or sent (counted as orderrelay_escalations_total outcome=refused)")]
    private static partial void LogEscalationLimitReached(ILogger logger);

    [LoggerMessage(EventId = 106, Level = LogLevel.Warning, Message = "Escalations are below Relay:Escalation:MaxPending again: new orders get one")]
    private static partial void LogEscalationLimitLeft(ILogger logger);
}
