namespace OrderRelay.Protocol;

/// <summary>
/// Something a connection's drain writes to its socket. Orders are shared by
/// every subscriber they fan out to, so a delivery allocates nothing per subscriber.
/// </summary>
internal abstract class OutboundFrame;

/// <summary>A frame whose bytes are already encoded (welcome, pong, error).</summary>
internal sealed class ControlFrame(ReadOnlyMemory<byte> bytes) : OutboundFrame
{
    public ReadOnlyMemory<byte> Bytes { get; } = bytes;
}
