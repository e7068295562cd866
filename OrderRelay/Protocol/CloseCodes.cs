using System.Net.WebSockets;

namespace OrderRelay.Protocol;

/// <summary>WebSocket close codes used by protocol v1.</summary>
internal static class CloseCodes
{
    public const WebSocketCloseStatus Normal = WebSocketCloseStatus.NormalClosure;
    public const WebSocketCloseStatus Shutdown = WebSocketCloseStatus.EndpointUnavailable;
    public const WebSocketCloseStatus BinaryFrame = WebSocketCloseStatus.InvalidMessageType;
    public const WebSocketCloseStatus Policy = WebSocketCloseStatus.PolicyViolation;
    public const WebSocketCloseStatus TooLarge = WebSocketCloseStatus.MessageTooBig;
    public const WebSocketCloseStatus InternalError = WebSocketCloseStatus.InternalServerError;

    /// <summary>1013 "try again later": slow consumer or overloaded; not in the enum.</summary>
    public const WebSocketCloseStatus TryAgainLater = (WebSocketCloseStatus)1013;
}
