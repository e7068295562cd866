using System.Buffers;
using System.Net.WebSockets;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text.Json;

namespace KestrelFloor;

/// <summary>Routing, sequencing and history under one lock, as the node-ws peer keeps them on its one thread.</summary>
internal sealed class FloorRelay
{
    private const int HistoryLimit = 100_000;
    private const int MaxMessageBytes = 65_536;

    private readonly Lock _gate = new();
    private readonly Queue<(long Seq, string? MerchantId, byte[] Frame, string? Id)> _history = new();
    private readonly Dictionary<string, long> _seqById = new(StringComparer.Ordinal);
    private readonly HashSet<FloorSocket> _everyMerchant = [];
    private readonly Dictionary<string, HashSet<FloorSocket>> _byMerchant = new(StringComparer.Ordinal);
    private long _lastSeq;
    private int _nextConnection;

    public string Epoch { get; } = "e-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4));

    public async Task RunAsync(WebSocket socket)
    {
        var client = new FloorSocket(socket, "c-" + Interlocked.Increment(ref _nextConnection).ToString("x", System.Globalization.CultureInfo.InvariantCulture));
        try
        {
            while (true)
            {
                // A zero-byte receive first: an idle page holds no buffer while it waits.
                var ready = await socket.ReceiveAsync(Memory<byte>.Empty, CancellationToken.None);
                if (ready.MessageType == WebSocketMessageType.Close)
                {
                    return;
                }

                var buffer = ArrayPool<byte>.Shared.Rent(4096);
                try
                {
                    var length = 0;
                    ValueWebSocketReceiveResult result;
                    do
                    {
                        if (length == buffer.Length)
                        {
                            if (length >= MaxMessageBytes)
                            {
                                await socket.CloseAsync(WebSocketCloseStatus.MessageTooBig, "too_large", CancellationToken.None);
                                return;
                            }

                            var grown = ArrayPool<byte>.Shared.Rent(length * 2);
                            buffer.AsSpan(0, length).CopyTo(grown);
                            ArrayPool<byte>.Shared.Return(buffer);
                            buffer = grown;
                        }

                        result = await socket.ReceiveAsync(buffer.AsMemory(length), CancellationToken.None);
                        length += result.Count;
                    }
                    while (!result.EndOfMessage);

                    if (result.MessageType == WebSocketMessageType.Close)
                    {
                        return;
                    }

                    Handle(client, buffer.AsMemory(0, length), result.MessageType == WebSocketMessageType.Binary);
                }
                finally
                {
                    ArrayPool<byte>.Shared.Return(buffer);
                }
            }
        }
        catch (Exception ex) when (ex is WebSocketException or IOException or OperationCanceledException)
        {
            // The client is gone.
        }
        finally
        {
            Unsubscribe(client);
        }
    }

    /// <summary>POST /publish as protocol v1 has it: the body is the order, Idempotency-Key its id.</summary>
    public async Task PublishOverHttpAsync(HttpContext context)
    {
        using var body = new MemoryStream();
        await context.Request.Body.CopyToAsync(body);
        if (body.Length > MaxMessageBytes)
        {
            await AnswerAsync(context, StatusCodes.Status413PayloadTooLarge, """{"title":"too_large"}""");
            return;
        }

        var order = body.GetBuffer().AsMemory(0, (int)body.Length);
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(order);
        }
        catch (JsonException)
        {
            await AnswerAsync(context, StatusCodes.Status400BadRequest, """{"title":"bad_json"}""");
            return;
        }

        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                await AnswerAsync(context, StatusCodes.Status400BadRequest, """{"title":"bad_frame"}""");
                return;
            }

            var key = context.Request.Headers["Idempotency-Key"].FirstOrDefault();
            var (seq, duplicate) = Accept(document.RootElement, order.Span, key);
            await AnswerAsync(context, StatusCodes.Status200OK, $$"""{"seq":{{seq}},"duplicate":{{(duplicate ? "true" : "false")}}}""");
        }
    }

    private static Task AnswerAsync(HttpContext context, int status, string json)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        return context.Response.WriteAsync(json);
    }

    private void Handle(FloorSocket client, ReadOnlyMemory<byte> message, bool binary)
    {
        JsonDocument? document = null;
        try
        {
            document = binary ? null : JsonDocument.Parse(message);
        }
        catch (JsonException)
        {
        }

        using (document)
        {
            var root = document?.RootElement;
            var type = root is { ValueKind: JsonValueKind.Object } frame && frame.TryGetProperty("type", out var value) && value.ValueKind == JsonValueKind.String
                ? value.GetString()
                : null;
            if (client.Role is null)
            {
                Hello(client, type == "hello" ? root : null);
                return;
            }

            if (binary)
            {
                Refuse(client, "bad_frame", "Binary frames are not accepted.", WebSocketCloseStatus.InvalidMessageType);
                return;
            }

            if (document is null)
            {
                SendError(client, "bad_json", "Not JSON.", null);
                return;
            }

            var id = root!.Value.TryGetProperty("id", out var idValue) && idValue.ValueKind == JsonValueKind.String ? idValue.GetString() : null;
            switch (type)
            {
                case null:
                    SendError(client, "bad_frame", "A frame is a JSON object with a string type.", null);
                    break;
                case "publish" when client.Role == "publisher":
                    Publish(client, root.Value, id);
                    break;
                case "publish":
                    SendError(client, "not_allowed", "Subscribers cannot publish.", id);
                    break;
                case "ping":
                    client.Send("""{"type":"pong"}"""u8.ToArray());
                    break;
                case "ack":
                    break;
                default:
                    SendError(client, "unknown_type", $"Unknown frame type \"{type}\".", id);
                    break;
            }
        }
    }

    private void Hello(FloorSocket client, JsonElement? hello)
    {
        var role = hello is { } frame && frame.TryGetProperty("role", out var roleValue) && roleValue.ValueKind == JsonValueKind.String ? roleValue.GetString() : null;
        if (hello is null)
        {
            Refuse(client, "handshake_required", "The first frame must be hello.", WebSocketCloseStatus.PolicyViolation);
            return;
        }

        if (role == "publisher")
        {
            client.Role = role;
            client.Send(Welcome(client, recovered: null));
            return;
        }

        if (role != "subscriber")
        {
            Refuse(client, "bad_frame", "role must be publisher or subscriber.", WebSocketCloseStatus.PolicyViolation);
            return;
        }

        var message = hello.Value;
        client.Role = role;
        client.Merchants = message.TryGetProperty("merchants", out var merchants) && merchants.ValueKind == JsonValueKind.Array
            ? [.. merchants.EnumerateArray().Select(merchant => merchant.ValueKind == JsonValueKind.String ? merchant.GetString()! : merchant.GetRawText())]
            : null;
        long? since = message.TryGetProperty("since", out var sinceValue) && sinceValue.TryGetInt64(out var parsed) ? parsed : null;
        var sameEpoch = !message.TryGetProperty("epoch", out var epoch) || epoch.ValueKind != JsonValueKind.String || epoch.GetString() == Epoch;
        lock (_gate)
        {
            var oldest = _history.TryPeek(out var first) ? first.Seq : _lastSeq + 1;
            var recovered = since is null || (sameEpoch && since <= _lastSeq && since + 1 >= oldest);
            client.Send(Welcome(client, recovered));
            if (since is { } cursor)
            {
                var after = sameEpoch && cursor <= _lastSeq ? cursor : 0;
                foreach (var entry in _history)
                {
                    if (entry.Seq > after && client.Wants(entry.MerchantId))
                    {
                        client.Send(entry.Frame);
                    }
                }
            }

            Subscribe(client);
        }
    }

    private void Publish(FloorSocket client, JsonElement message, string? id)
    {
        if (!message.TryGetProperty("order", out var order) || order.ValueKind != JsonValueKind.Object)
        {
            SendError(client, "bad_frame", "A publish needs an \"order\" object.", id);
            return;
        }

        var (seq, duplicate) = Accept(order, JsonMarshal.GetRawUtf8Value(order), id);
        client.Send(Encode(writer =>
        {
            writer.WriteString("type", "ack");
            if (id is not null)
            {
                writer.WriteString("id", id);
            }

            writer.WriteNumber("seq", seq);
            if (duplicate)
            {
                writer.WriteBoolean("duplicate", true);
            }
        }));
    }

    /// <summary>Takes a seq for the order (or finds its idempotency key) and fans it out; <paramref name="orderJson"/> is its raw JSON.</summary>
    private (long Seq, bool Duplicate) Accept(JsonElement order, ReadOnlySpan<byte> orderJson, string? id)
    {
        var merchantId = order.TryGetProperty("merchant_id", out var merchant) && merchant.ValueKind is JsonValueKind.String or JsonValueKind.Number
            ? merchant.ValueKind == JsonValueKind.String ? merchant.GetString() : merchant.GetRawText()
            : null;
        var orderBytes = orderJson.ToArray();
        lock (_gate)
        {
            if (id is not null && _seqById.TryGetValue(id, out var earlier))
            {
                return (earlier, true);
            }

            var seq = ++_lastSeq;
            var frame = Encode(writer =>
            {
                writer.WriteString("type", "order");
                writer.WriteNumber("seq", seq);
                writer.WriteString("merchant_id", merchantId);
                writer.WriteString("ts", DateTime.UtcNow);
                writer.WritePropertyName("order");
                writer.WriteRawValue(orderBytes, skipInputValidation: true);
            });
            Remember(seq, merchantId, frame, id);
            foreach (var subscriber in _everyMerchant)
            {
                subscriber.Send(frame);
            }

            if (merchantId is not null && _byMerchant.TryGetValue(merchantId, out var subscribers))
            {
                foreach (var subscriber in subscribers)
                {
                    subscriber.Send(frame);
                }
            }

            return (seq, false);
        }
    }

    private void Remember(long seq, string? merchantId, byte[] frame, string? id)
    {
        _history.Enqueue((seq, merchantId, frame, id));
        if (id is not null)
        {
            _seqById[id] = seq;
        }

        if (_history.Count > HistoryLimit && _history.Dequeue().Id is { } evicted)
        {
            _seqById.Remove(evicted);
        }
    }

    private void Subscribe(FloorSocket client)
    {
        if (client.Merchants is null)
        {
            _everyMerchant.Add(client);
            return;
        }

        foreach (var merchant in client.Merchants)
        {
            if (!_byMerchant.TryGetValue(merchant, out var subscribers))
            {
                _byMerchant[merchant] = subscribers = [];
            }

            subscribers.Add(client);
        }
    }

    private void Unsubscribe(FloorSocket client)
    {
        if (client.Role != "subscriber")
        {
            return;
        }

        lock (_gate)
        {
            if (client.Merchants is null)
            {
                _everyMerchant.Remove(client);
                return;
            }

            foreach (var merchant in client.Merchants)
            {
                if (_byMerchant.TryGetValue(merchant, out var subscribers) && subscribers.Remove(client) && subscribers.Count == 0)
                {
                    _byMerchant.Remove(merchant);
                }
            }
        }
    }

    private byte[] Welcome(FloorSocket client, bool? recovered) => Encode(writer =>
    {
        writer.WriteString("type", "welcome");
        writer.WriteString("role", client.Role);
        writer.WriteString("connection_id", client.Id);
        writer.WriteString("epoch", Epoch);
        writer.WriteNumber("seq", Volatile.Read(ref _lastSeq));
        writer.WritePropertyName("merchants");
        if (client.Merchants is null)
        {
            writer.WriteNullValue();
        }
        else
        {
            writer.WriteStartArray();
            foreach (var merchant in client.Merchants)
            {
                writer.WriteStringValue(merchant);
            }

            writer.WriteEndArray();
        }

        if (recovered is { } value)
        {
            writer.WriteBoolean("recovered", value);
        }
        else
        {
            writer.WriteNull("recovered");
        }
    });

    private static void SendError(FloorSocket client, string code, string message, string? id) => client.Send(Encode(writer =>
    {
        writer.WriteString("type", "error");
        writer.WriteString("code", code);
        writer.WriteString("message", message);
        if (id is not null)
        {
            writer.WriteString("id", id);
        }
    }));

    private static void Refuse(FloorSocket client, string code, string message, WebSocketCloseStatus status)
    {
        SendError(client, code, message, null);
        _ = client.Socket.CloseOutputAsync(status, code, CancellationToken.None);
    }

    private static byte[] Encode(Action<Utf8JsonWriter> write)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            write(writer);
            writer.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }
}
