using System.Net.WebSockets;
using OrderRelay.Protocol;

namespace OrderRelay.Connections;

/// <summary>How a connection is to end: the error frame to send first, the close code, and
/// whether frames already queued (acks above all) go out before it.</summary>
internal sealed record CloseRequest(WebSocketCloseStatus Code, string? ErrorCode, byte[]? ErrorFrame, bool DrainFirst)
{
    /// <summary>The answer to a peer's own close.</summary>
    public static CloseRequest Normal { get; } = new(CloseCodes.Normal, null, null, DrainFirst: false);

    public static CloseRequest WithError(WebSocketCloseStatus code, string errorCode, string message, bool drainFirst = true) =>
        new(code, errorCode, FrameEncoder.ErrorBytes(errorCode, message), drainFirst);
}
