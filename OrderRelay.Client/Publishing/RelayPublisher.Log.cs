using Microsoft.Extensions.Logging;

namespace OrderRelay.Client;

public sealed partial class RelayPublisher
{
    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Information, "Publisher connected to {Relay} as {ConnectionId}; {Resending} unanswered publishes are sent again with their ids")]
        public static partial void Connected(ILogger logger, Uri relay, string? connectionId, int resending);

        [LoggerMessage(2, LogLevel.Warning, "Publisher could not connect to {Relay} ({Reason}), attempt {Attempt}; retrying with the same ids in {Delay}")]
        public static partial void ConnectFailed(ILogger logger, Uri relay, string reason, int attempt, TimeSpan delay);

        [LoggerMessage(3, LogLevel.Warning, "Publisher connection ended: {Reason}; {Unanswered} unanswered publishes will be sent again with their ids; reconnecting in {Delay}")]
        public static partial void Disconnected(ILogger logger, string reason, int unanswered, TimeSpan delay);

        [LoggerMessage(4, LogLevel.Warning, "POST {PublishUri} failed ({Reason}); {Waiting} publishes wait, to be retried with the same ids")]
        public static partial void HttpFailed(ILogger logger, Uri publishUri, string reason, int waiting);

        [LoggerMessage(5, LogLevel.Error, "The relay refused the publisher ({Code}: {Reason}); publishing stops")]
        public static partial void Refused(ILogger logger, string code, string reason);

        [LoggerMessage(6, LogLevel.Error, "The publisher's connection loop failed; waiting publishes fail and publishing stops")]
        public static partial void LoopFailed(ILogger logger, Exception exception);
    }
}
