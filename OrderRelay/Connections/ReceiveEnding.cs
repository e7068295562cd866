namespace OrderRelay.Connections;

/// <summary>Why a receive loop stopped; <see cref="RelayConnection"/> maps it to a close.</summary>
internal enum ReceiveEnding
{
    /// <summary>The peer sent its close frame first.</summary>
    PeerClosed,

    /// <summary>The socket failed or was aborted without a close handshake.</summary>
    PeerVanished,

    /// <summary>
    /// The peer sent what RFC 6455 forbids (a reserved opcode, text that is not UTF-8):
    /// <c>ManagedWebSocket</c> queued its own close (1002, 1007) and aborted its side.
    /// </summary>
    PeerBrokeProtocol,

    /// <summary>The relay asked to close and the peer answered.</summary>
    ClosedByRelay,
}
