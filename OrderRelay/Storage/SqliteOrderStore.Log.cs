using Microsoft.Extensions.Logging;

namespace OrderRelay.Storage;

internal sealed partial class SqliteOrderStore
{
    [LoggerMessage(EventId = 300, Level = LogLevel.Information,
        Message = "SQLite journal {Path} open in epoch {Epoch}: newest seq {LastSeq}, oldest kept {FirstRetainedSeq}")]
    private partial void LogOpened(string path, string epoch, long lastSeq, long firstRetainedSeq);

    [LoggerMessage(EventId = 301, Level = LogLevel.Error, Message = "Writes to the SQLite journal {Path} fail; publishes are refused until a write succeeds")]
    private partial void LogWritesFailing(Exception exception, string path);

    [LoggerMessage(EventId = 302, Level = LogLevel.Information, Message = "Writes to the SQLite journal {Path} succeed again")]
    private partial void LogWritesRecovered(string path);

    [LoggerMessage(EventId = 303, Level = LogLevel.Debug, Message = "Pruned {Count} orders through seq {Seq}")]
    private partial void LogPruned(int count, long seq);

    [LoggerMessage(EventId = 304, Level = LogLevel.Warning, Message = "Background maintenance of the SQLite journal {Path} failed; it is retried")]
    private partial void LogMaintenanceFailed(Exception exception, string path);
}
