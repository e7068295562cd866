using System.Net.WebSockets;
using Microsoft.Extensions.Logging;

namespace OrderRelay.Compat;

internal sealed partial class SeedConnection
{
    [LoggerMessage(EventId = 900, Level = LogLevel.Information, Message = "Seed connection {ConnectionId} from {Client} is a {Role}")]
    private partial void LogRole(string connectionId, string client, string role);

    [LoggerMessage(EventId = 901, Level = LogLevel.Debug, Message = "Seed connection {ConnectionId} published seq {Seq}")]
    private partial void LogPublished(string connectionId, long seq);

    [LoggerMessage(EventId = 902, Level = LogLevel.Warning, Message = "Seed connection {ConnectionId} closed by the relay with {CloseCode}: {Reason}")]
    private partial void LogClosing(string connectionId, int closeCode, string reason);

    [LoggerMessage(EventId = 903, Level = LogLevel.Debug, Message = "Seed connection {ConnectionId} ({Role}) ended with {CloseStatus}")]
    private partial void LogClosed(string connectionId, string role, WebSocketCloseStatus closeStatus);
}
