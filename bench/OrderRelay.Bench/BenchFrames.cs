using System.Buffers.Text;
using System.Globalization;
using System.Net.WebSockets;
using System.Text;
using System.Text.Unicode;

namespace OrderRelay.Bench;

/// <summary>Protocol v1 frames as the bench writes and reads them, without a JSON parser on the hot path.</summary>
internal static class BenchFrames
{
    public static readonly byte[] PublisherHello = """{"type":"hello","role":"publisher"}"""u8.ToArray();

    private static readonly byte[] OrderPrefix = "{\"type\":\"order\""u8.ToArray();
    private static readonly byte[] AckPrefix = "{\"type\":\"ack\""u8.ToArray();
    private static readonly byte[] SeqField = "\"seq\":"u8.ToArray();
    private static readonly byte[] SentAtField = "\"bench_sent_at\":"u8.ToArray();

    /// <summary>Makes the order about 500 bytes, like a real one with items and an address.</summary>
    private static readonly string Padding = new('x', 330);

    public static byte[] SubscriberHello(string? merchant, long? since)
    {
        var merchants = merchant is null ? "" : $",\"merchants\":[\"{merchant}\"]";
        var resume = since is { } seq ? $",\"since\":{seq}" : "";
        return Encoding.UTF8.GetBytes($"{{\"type\":\"hello\",\"role\":\"subscriber\"{merchants}{resume}}}");
    }

    /// <summary>
    /// Writes a publish frame into <paramref name="buffer"/>, with the id <paramref name="idPrefix"/>
    /// and the order number. The order carries the Stopwatch timestamp of its sending, first, so a
    /// subscriber finds it within the first bytes. Written as UTF-8 in place: the load generator
    /// allocates nothing per order that the relay's garbage collection would be measured against.
    /// </summary>
    public static int WritePublish(Span<byte> buffer, string idPrefix, long orderNumber, string merchant, long sentAt)
    {
        if (!Utf8.TryWrite(buffer, CultureInfo.InvariantCulture, $"{{\"type\":\"publish\",\"id\":\"{idPrefix}{orderNumber}\",\"order\":", out var head))
        {
            throw new ArgumentException("The buffer is too small for a publish frame.", nameof(buffer));
        }

        var order = WriteOrder(buffer[head..^1], orderNumber, merchant, sentAt);
        buffer[head + order] = (byte)'}';
        return head + order + 1;
    }

    /// <summary>Writes the order alone, as the body of <c>POST /publish</c>; the sending time first, as in <see cref="WritePublish"/>.</summary>
    public static int WriteOrder(Span<byte> buffer, long orderNumber, string merchant, long sentAt) =>
        Utf8.TryWrite(buffer, CultureInfo.InvariantCulture,
            $"{{\"bench_sent_at\":{sentAt},\"order_id\":{orderNumber},\"merchant_id\":\"{merchant}\",\"customer_name\":\"张三\",\"order_amount\":100.00,\"currency\":\"CNY\",\"note\":\"{Padding}\"}}",
            out var written)
            ? written
            : throw new ArgumentException("The buffer is too small for an order.", nameof(buffer));

    public static bool IsOrder(ReadOnlySpan<byte> frame) => frame.StartsWith(OrderPrefix);

    public static bool IsAck(ReadOnlySpan<byte> frame) => frame.StartsWith(AckPrefix);

    public static long ReadSeq(ReadOnlySpan<byte> frame) => ReadNumberAfter(frame, SeqField);

    public static long ReadSentAt(ReadOnlySpan<byte> frame) => ReadNumberAfter(frame, SentAtField);

    private static long ReadNumberAfter(ReadOnlySpan<byte> frame, ReadOnlySpan<byte> field)
    {
        var at = frame.IndexOf(field);
        return at >= 0 && Utf8Parser.TryParse(frame[(at + field.Length)..], out long value, out _) ? value : -1;
    }

    /// <summary>Receives one whole message into <paramref name="buffer"/>; bytes past its end are dropped.</summary>
    public static async ValueTask<(WebSocketMessageType Type, int Length)> ReceiveMessageAsync(WebSocket socket, byte[] buffer, CancellationToken cancellationToken)
    {
        var length = 0;
        while (true)
        {
            var target = length < buffer.Length ? buffer.AsMemory(length) : buffer.AsMemory(buffer.Length - 256);
            var result = await socket.ReceiveAsync(target, cancellationToken);
            if (result.MessageType == WebSocketMessageType.Close)
            {
                return (WebSocketMessageType.Close, 0);
            }

            length = Math.Min(length + result.Count, buffer.Length);
            if (result.EndOfMessage)
            {
                return (result.MessageType, length);
            }
        }
    }
}
