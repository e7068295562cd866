using System.Buffers;
using System.Net.WebSockets;

namespace OrderRelay.Connections;

/// <summary>
/// Reads whole WebSocket messages up to a size limit. Waits with a zero-byte receive, so an
/// idle connection holds no buffer; rents one only while a message is arriving.
/// </summary>
internal sealed class MessageReceiver(WebSocket socket, int maxMessageBytes)
{
    private const int InitialBufferSize = 4096;

    /// <summary>Past this many bytes an over-size message is no longer read to its end: the connection closes (1009).</summary>
    public long TransportLimit { get; } = 16L * maxMessageBytes;

    /// <summary>
    /// Waits for the next message without reading it. Not an async method on purpose: an idle
    /// connection waits here for hours, and an awaiting async method keeps its state alive meanwhile.
    /// </summary>
    public ValueTask<ValueWebSocketReceiveResult> WaitForMessageAsync() => socket.ReceiveAsync(Memory<byte>.Empty, CancellationToken.None);

    /// <summary>Waits for the next message and reads it.</summary>
    public async Task<InboundMessage> ReceiveAsync() => await ReadMessageAsync(await WaitForMessageAsync().ConfigureAwait(false)).ConfigureAwait(false);

    /// <summary>Reads the message whose arrival <see cref="WaitForMessageAsync"/> reported.</summary>
    public async ValueTask<InboundMessage> ReadMessageAsync(ValueWebSocketReceiveResult result)
    {
        switch (result.MessageType)
        {
            case WebSocketMessageType.Close:
                return new InboundMessage(InboundKind.Close);
            case WebSocketMessageType.Binary:
                return new InboundMessage(InboundKind.Binary);
        }

        var buffer = ArrayPool<byte>.Shared.Rent(Math.Min(InitialBufferSize, maxMessageBytes));
        byte[]? discard = null;
        var length = 0;
        long total = 0;
        try
        {
            while (!result.EndOfMessage)
            {
                if (length == buffer.Length && length < maxMessageBytes)
                {
                    buffer = Grow(buffer, length);
                }

                // Past the limit the rest is read into scratch space and dropped, keeping the
                // start of the message so the error can still name its id.
                var keeping = length < buffer.Length;
                var target = keeping ? buffer.AsMemory(length) : (discard ??= ArrayPool<byte>.Shared.Rent(InitialBufferSize));
                result = await socket.ReceiveAsync(target, CancellationToken.None).ConfigureAwait(false);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    ArrayPool<byte>.Shared.Return(buffer);
                    return new InboundMessage(InboundKind.Close);
                }

                total += result.Count;
                length += keeping ? result.Count : 0;
                if (total > TransportLimit)
                {
                    ArrayPool<byte>.Shared.Return(buffer);
                    return new InboundMessage(InboundKind.TooLargeForTransport);
                }
            }
        }
        catch
        {
            ArrayPool<byte>.Shared.Return(buffer);
            throw;
        }
        finally
        {
            if (discard is not null)
            {
                ArrayPool<byte>.Shared.Return(discard);
            }
        }

        var kind = total > maxMessageBytes ? InboundKind.TooLarge : InboundKind.Text;
        return new InboundMessage(kind, buffer, Math.Min(length, maxMessageBytes));
    }

    /// <summary>Reads and drops whatever arrives until the peer's close frame (or the socket's end).</summary>
    public async Task DrainUntilCloseAsync()
    {
        var scratch = ArrayPool<byte>.Shared.Rent(InitialBufferSize);
        try
        {
            while (true)
            {
                var result = await socket.ReceiveAsync(scratch.AsMemory(), CancellationToken.None).ConfigureAwait(false);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    return;
                }
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(scratch);
        }
    }

    private byte[] Grow(byte[] buffer, int length)
    {
        var larger = ArrayPool<byte>.Shared.Rent(Math.Min(buffer.Length * 2, maxMessageBytes));
        buffer.AsSpan(0, length).CopyTo(larger);
        ArrayPool<byte>.Shared.Return(buffer);
        return larger;
    }
}
