using Microsoft.Extensions.Logging;

namespace OrderRelay.Core.Receipts;

internal sealed partial class AcceptedBroadcaster
{
    [LoggerMessage(EventId = 800, Level = LogLevel.Warning, Message = "Reading the order event log after cursor {Cursor} failed; accepts reach pages once it can be read again")]
    private partial void LogReadFailed(Exception exception, long cursor);
}
