using Microsoft.Extensions.Logging;

namespace OrderRelay.Core;

internal sealed partial class Relay
{
    [LoggerMessage(EventId = 100, Level = LogLevel.Information, Message = "Order journal open in epoch {Epoch} at seq {Seq}")]
    private partial void LogJournalOpened(string epoch, long seq);
}
