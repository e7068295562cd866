namespace OrderRelay.Connections;

/// <summary>Why a receive loop stopped; <see cref="RelayConnection"/> maps it to a close.</summary>
internal enum ReceiveEnding
{
    /// <summary>The peer sent its close frame first.</summary>
    PeerClosed,

    /// <summary>The socket failed or was aborted without a close handshake.</summary>
    PeerVanished,

    /// <summary>The relay asked to close and the peer answered.</summary>
    ClosedByRelay,
}
