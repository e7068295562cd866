using System.Net.WebSockets;
using Microsoft.Extensions.Logging;

namespace OrderRelay.Connections;

// Each message names its connection itself rather than through a logging scope, which every
// connection would hold (with its execution-context entries) for its whole life.
internal sealed partial class RelayConnection
{
    [LoggerMessage(EventId = 200, Level = LogLevel.Information, Message = "{ConnectionId}: hello from {Client} as {Role} for merchants {Merchants} since {Since}")]
    private partial void LogHello(string connectionId, string client, string role, string merchants, long? since);

    [LoggerMessage(EventId = 201, Level = LogLevel.Information, Message = "{ConnectionId}: closed {Role} connection ({CloseCode}, socket {Ending})")]
    private partial void LogClosed(string connectionId, string role, WebSocketCloseStatus closeCode, WebSocketState ending);

    [LoggerMessage(EventId = 202, Level = LogLevel.Information, Message = "{ConnectionId}: closing with {ErrorCode} ({CloseCode})")]
    private partial void LogClosing(string connectionId, string errorCode, WebSocketCloseStatus closeCode);

    [LoggerMessage(EventId = 203, Level = LogLevel.Debug, Message = "{ConnectionId}: refused a frame: {ErrorCode}")]
    private partial void LogRefusedFrame(string connectionId, string errorCode);

    [LoggerMessage(EventId = 204, Level = LogLevel.Error, Message = "{ConnectionId}: replay failed")]
    internal partial void LogCatchUpFailed(Exception exception, string connectionId);

    [LoggerMessage(EventId = 205, Level = LogLevel.Error, Message = "{ConnectionId}: reading receipts failed")]
    internal partial void LogReceiptsFailed(Exception exception, string connectionId);
}
