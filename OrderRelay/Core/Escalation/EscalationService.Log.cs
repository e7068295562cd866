using Microsoft.Extensions.Logging;

namespace OrderRelay.Core.Escalation;

internal sealed partial class EscalationService
{
    [LoggerMessage(EventId = 810, Level = LogLevel.Information, Message = "Order {Seq} of merchant {MerchantId} escalated: the webhook took it at attempt {Attempt}")]
    private partial void LogEscalated(long seq, string? merchantId, int attempt);

    [LoggerMessage(EventId = 811, Level = LogLevel.Warning,
        Message = "The escalation webhook did not take order {Seq} at attempt {Attempt} ({Answer}); it is tried again in {Delay}")]
    private partial void LogWebhookRefused(Exception? exception, long seq, int attempt, string answer, TimeSpan delay);

    [LoggerMessage(EventId = 812, Level = LogLevel.Error, Message = "Escalations cannot be read from or written to the journal; they wait there until it answers")]
    private partial void LogJournalFailed(Exception exception);

    [LoggerMessage(EventId = 813, Level = LogLevel.Warning, Message = "The journal answers again; escalations carry on")]
    private partial void LogJournalReadable();
}
