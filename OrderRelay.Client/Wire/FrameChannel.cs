using System.Buffers;
using System.Net.WebSockets;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace OrderRelay.Client.Wire;

/// <summary>
/// Whole JSON text messages over a <see cref="ClientWebSocket"/> (the socket does the framing).
/// One receiver and one sender at a time, as <see cref="WebSocket"/> allows.
/// </summary>
internal sealed class FrameChannel(ClientWebSocket socket, int maxMessageBytes)
{
    private readonly ArrayBufferWriter<byte> _incoming = new(4096);

    public ClientWebSocket Socket => socket;

    /// <summary>The next frame, or null when the relay closed the connection (its close status is then on the socket).</summary>
    public async ValueTask<ServerFrame?> ReceiveAsync(CancellationToken cancellationToken)
    {
        _incoming.ResetWrittenCount();
        while (true)
        {
            var result = await socket.ReceiveAsync(_incoming.GetMemory(4096), cancellationToken).ConfigureAwait(false);
            if (result.MessageType == WebSocketMessageType.Close)
            {
                return null;
            }

            if (result.MessageType != WebSocketMessageType.Text)
            {
                throw new WebSocketException(WebSocketError.InvalidMessageType, "The relay sent a binary frame; protocol v1 has none.");
            }

            _incoming.Advance(result.Count);
            if (_incoming.WrittenCount > maxMessageBytes)
            {
                throw new WebSocketException(WebSocketError.Faulted, $"The relay sent a message over {maxMessageBytes} bytes (RelayClientOptions.MaxMessageBytes).");
            }

            if (result.EndOfMessage)
            {
                try
                {
                    return JsonSerializer.Deserialize(_incoming.WrittenSpan, ClientJson.Default.ServerFrame)
                        ?? throw new WebSocketException(WebSocketError.Faulted, "The relay sent a JSON null.");
                }
                catch (JsonException ex)
                {
                    throw new WebSocketException(WebSocketError.Faulted, $"The relay sent a frame that is not protocol JSON: {ex.Message}", ex);
                }
            }
        }
    }

    public ValueTask SendAsync<T>(T frame, JsonTypeInfo<T> typeInfo, CancellationToken cancellationToken) =>
        SendAsync(JsonSerializer.SerializeToUtf8Bytes(frame, typeInfo), cancellationToken);

    public ValueTask SendAsync(ReadOnlyMemory<byte> utf8Json, CancellationToken cancellationToken) =>
        socket.SendAsync(utf8Json, WebSocketMessageType.Text, endOfMessage: true, cancellationToken);

    /// <summary>Says goodbye if the socket still can, within <paramref name="timeout"/> (zero: not at all), then releases it.</summary>
    public async ValueTask CloseAsync(TimeSpan timeout)
    {
        if (timeout > TimeSpan.Zero && socket.State is WebSocketState.Open or WebSocketState.CloseReceived)
        {
            using var bound = new CancellationTokenSource(timeout);
            try
            {
                await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, bound.Token).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or ObjectDisposedException)
            {
                // Closing politely is a courtesy; the socket is aborted below either way.
            }
        }

        socket.Abort();
        socket.Dispose();
    }
}
