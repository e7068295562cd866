using System.Net.WebSockets;
using Microsoft.Extensions.Logging;

namespace OrderRelay.Connections;

internal sealed partial class RelayConnection
{
    [LoggerMessage(EventId = 200, Level = LogLevel.Information, Message = "Hello as {Role} for merchants {Merchants} since {Since}")]
    private partial void LogHello(string role, string merchants, long? since);

    [LoggerMessage(EventId = 201, Level = LogLevel.Information, Message = "Closed {Role} connection ({CloseCode}, socket {Ending})")]
    private partial void LogClosed(string role, WebSocketCloseStatus closeCode, WebSocketState ending);

    [LoggerMessage(EventId = 202, Level = LogLevel.Information, Message = "Closing with {ErrorCode} ({CloseCode})")]
    private partial void LogClosing(string errorCode, WebSocketCloseStatus closeCode);

    [LoggerMessage(EventId = 203, Level = LogLevel.Debug, Message = "Refused a frame: {ErrorCode}")]
    private partial void LogRefusedFrame(string errorCode);

    [LoggerMessage(EventId = 204, Level = LogLevel.Error, Message = "Replay failed")]
    private partial void LogCatchUpFailed(Exception exception);
}
