using System.Buffers;
using System.Text.Json;

namespace OrderRelay.Protocol;

/// <summary>
/// Builds the <c>order</c> delivery frame around the publisher's order bytes, which are
/// copied in verbatim (never re-serialised: <c>100.00</c> stays <c>100.00</c>).
/// </summary>
internal static class OrderFrameEncoder
{
    private static readonly JsonWriterOptions WriterOptions = new()
    {
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        SkipValidation = false,
    };

    /// <param name="orderOffset">Where the order object starts inside the returned frame.</param>
    public static byte[] Encode(long seq, string? merchantId, DateTimeOffset acceptedAt, ReadOnlySpan<byte> order, out int orderOffset)
    {
        var buffer = new ArrayBufferWriter<byte>(order.Length + 128);
        using (var writer = new Utf8JsonWriter(buffer, WriterOptions))
        {
            writer.WriteStartObject();
            writer.WriteString("type"u8, "order"u8);
            writer.WriteNumber("seq"u8, seq);
            if (merchantId is null)
            {
                writer.WriteNull("merchant_id"u8);
            }
            else
            {
                writer.WriteString("merchant_id"u8, merchantId);
            }

            writer.WriteString("ts"u8, FrameEncoder.Timestamp(acceptedAt));
            writer.WritePropertyName("order"u8);
            writer.Flush();
            orderOffset = buffer.WrittenCount;
            writer.WriteRawValue(order, skipInputValidation: true);
            writer.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }
}
