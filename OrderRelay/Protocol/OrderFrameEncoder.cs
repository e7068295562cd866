using System.Buffers;
using System.Globalization;
using System.Text.Json;

namespace OrderRelay.Protocol;

/// <summary>
/// Builds the <c>order</c> delivery frame around the publisher's order bytes, which are
/// copied in verbatim (never re-serialised: <c>100.00</c> stays <c>100.00</c>).
/// </summary>
/// <remarks>
/// The frame array is the only allocation per order: it is kept, shared by every delivery and
/// the history. The writer and its scratch buffer are reused per thread, as
/// <see cref="JsonSerializer.SerializeToUtf8Bytes{TValue}(TValue, System.Text.Json.Serialization.Metadata.JsonTypeInfo{TValue})"/>
/// reuses its own; on a trickle of orders, young garbage is what sets how often the collector
/// pauses every connection.
/// </remarks>
internal static class OrderFrameEncoder
{
    /// <summary>A scratch buffer that grew past this for a large order is let go rather than held by the thread.</summary>
    private const int KeptScratchBytes = 16 * 1024;

    private static readonly JsonWriterOptions WriterOptions = new()
    {
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        SkipValidation = false,
    };

    [ThreadStatic]
    private static ArrayBufferWriter<byte>? t_scratch;

    [ThreadStatic]
    private static Utf8JsonWriter? t_writer;

    /// <param name="orderOffset">Where the order object starts inside the returned frame.</param>
    public static byte[] Encode(long seq, string? merchantId, DateTimeOffset acceptedAt, ReadOnlySpan<byte> order, out int orderOffset)
    {
        var scratch = t_scratch ?? new ArrayBufferWriter<byte>(1024);
        var writer = t_writer ?? new Utf8JsonWriter(scratch, WriterOptions);
        scratch.ResetWrittenCount();
        writer.Reset(scratch);

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

        Span<byte> timestamp = stackalloc byte[32];
        acceptedAt.UtcDateTime.TryFormat(timestamp, out var timestampLength, FrameEncoder.TimestampFormat, CultureInfo.InvariantCulture);
        writer.WriteString("ts"u8, timestamp[..timestampLength]);
        writer.WritePropertyName("order"u8);
        writer.Flush();
        orderOffset = scratch.WrittenCount;
        writer.WriteRawValue(order, skipInputValidation: true);
        writer.WriteEndObject();
        writer.Flush();

        var frame = scratch.WrittenSpan.ToArray();
        if (scratch.Capacity <= KeptScratchBytes)
        {
            t_scratch = scratch;
            t_writer = writer;
        }
        else
        {
            t_scratch = null;
            t_writer = null;
        }

        return frame;
    }
}
