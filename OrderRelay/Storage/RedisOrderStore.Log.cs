using Microsoft.Extensions.Logging;

namespace OrderRelay.Storage;

internal sealed partial class RedisOrderStore
{
    [LoggerMessage(EventId = 500, Level = LogLevel.Warning, Message = "Lost Redis while following the order stream after seq {Seq}; retrying")]
    private partial void LogFeedInterrupted(long seq);

    [LoggerMessage(EventId = 501, Level = LogLevel.Information, Message = "Redis is back; following the order stream again after seq {Seq}")]
    private partial void LogFeedResumed(long seq);

    [LoggerMessage(EventId = 502, Level = LogLevel.Warning, Message = "Redis health changed: reachable {Healthy}")]
    private partial void LogHealthChanged(bool healthy);
}
