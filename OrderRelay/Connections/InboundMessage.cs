using System.Buffers;

namespace OrderRelay.Connections;

internal enum InboundKind
{
    Text,
    Binary,
    Close,

    /// <summary>A text message over <c>MaxMessageBytes</c>, read to its end and discarded.</summary>
    TooLarge,

    /// <summary>A message so far over the limit that reading it to its end is not worth it.</summary>
    TooLargeForTransport,
}

/// <summary>One received WebSocket message; text is held in a pooled buffer returned on dispose.</summary>
internal struct InboundMessage(InboundKind kind, byte[]? buffer = null, int length = 0) : IDisposable
{
    private byte[]? _buffer = buffer;

    public readonly InboundKind Kind => kind;

    /// <summary>The text (or, for <see cref="InboundKind.TooLarge"/>, its first bytes).</summary>
    public readonly ReadOnlySpan<byte> Payload => _buffer.AsSpan(0, length);

    public void Dispose()
    {
        if (_buffer is { } rented)
        {
            _buffer = null;
            ArrayPool<byte>.Shared.Return(rented);
        }
    }
}
