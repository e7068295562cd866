using Microsoft.Extensions.Logging;

namespace OrderRelay.Core;

internal sealed partial class Relay
{
    [LoggerMessage(EventId = 100, Level = LogLevel.Information, Message = "Order journal open in epoch {Epoch} at seq {Seq}")]
    private partial void LogJournalOpened(string epoch, long seq);

    [LoggerMessage(EventId = 101, Level = LogLevel.Error,
        Message = "The store failed to append a batch of {Count} publishes; none was acknowledged, and publishes are refused until it takes one again")]
    private partial void LogStoreAppendFailed(Exception exception, int count);

    [LoggerMessage(EventId = 104, Level = LogLevel.Warning,
        Message = "The store takes publishes again after {Duration}; {Refused} publishes were refused with store_unavailable meanwhile")]
    private partial void LogStoreAppendsResumed(int refused, TimeSpan duration);

    [LoggerMessage(EventId = 103, Level = LogLevel.Error,
        Message = "The order journal lost orders and restarted: epoch {OldEpoch} ended after seq {LastSeqSeen}, epoch {NewEpoch} begins at seq 1; {Subscribers} subscribers told to reload")]
    private partial void LogEpochChanged(string oldEpoch, string newEpoch, long lastSeqSeen, int subscribers);

    [LoggerMessage(EventId = 105, Level = LogLevel.Warning,
        Message = "Relay:Escalation:MaxPending reached: new orders are accepted and delivered but get no escalation until pending ones are accepted or sent (counted as orderrelay_escalations_total outcome=refused)")]
    private partial void LogEscalationLimitReached();

    [LoggerMessage(EventId = 106, Level = LogLevel.Warning, Message = "Escalations are below Relay:Escalation:MaxPending again: new orders get one")]
    private partial void LogEscalationLimitLeft();

    [LoggerMessage(EventId = 102, Level = LogLevel.Warning, Message = "Subscriber {ConnectionId} fell {Limit} frames behind and is dropped as a slow consumer")]
    private partial void LogSlowConsumer(string connectionId, int limit);
}
