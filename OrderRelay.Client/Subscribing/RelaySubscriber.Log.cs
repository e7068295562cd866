using Microsoft.Extensions.Logging;

namespace OrderRelay.Client;

public sealed partial class RelaySubscriber
{
    private static partial class Log
    {
        [LoggerMessage(101, LogLevel.Information, "Subscriber connected to {Relay} as {ConnectionId} in epoch {Epoch}, resuming after {Since}; recovered: {Recovered}")]
        public static partial void Connected(ILogger logger, Uri relay, string? connectionId, string epoch, long? since, bool recovered);

        [LoggerMessage(102, LogLevel.Warning, "Subscriber could not connect to {Relay} ({Reason}), attempt {Attempt}; retrying in {Delay}")]
        public static partial void ConnectFailed(ILogger logger, Uri relay, string reason, int attempt, TimeSpan delay);

        [LoggerMessage(103, LogLevel.Warning, "Subscriber connection ended: {Reason}; resuming after seq {Since} in {Delay}")]
        public static partial void Disconnected(ILogger logger, string reason, long since, TimeSpan delay);

        [LoggerMessage(104, LogLevel.Warning, "The relay sent order {Seq}, not after {LastSeq} already handed over; skipped")]
        public static partial void SkippedOld(ILogger logger, long seq, long lastSeq);

        [LoggerMessage(105, LogLevel.Warning, "The relay answered {Code}: {Reason}")]
        public static partial void RelayError(ILogger logger, string? code, string? reason);
    }
}
