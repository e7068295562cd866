using System.Buffers;
using System.Text.Json;

namespace OrderRelay.Client.Wire;

/// <summary>
/// Encodes <c>{"type":"publish","id":…,"order":…}</c> with the order's bytes written raw, so the
/// relay (which forwards them verbatim) delivers exactly what the caller wrote: 100.00 stays 100.00.
/// </summary>
internal static class PublishFrame
{
    public const int MaxIdLength = 256;

    public static byte[] Encode(string id, ReadOnlyMemory<byte> order)
    {
        var buffer = new ArrayBufferWriter<byte>(order.Length + id.Length + 48);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("type", "publish");
            writer.WriteString("id", id);
            writer.WritePropertyName("order");
            writer.WriteRawValue(order.Span, skipInputValidation: true);
            writer.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>Refuses, before anything is sent, what the relay would refuse as <c>bad_frame</c>/<c>bad_json</c>.</summary>
    public static void Validate(ReadOnlySpan<byte> order, string id)
    {
        if (id.Length is 0 or > MaxIdLength)
        {
            throw new ArgumentException($"The idempotency id must be 1 to {MaxIdLength} characters long.", nameof(id));
        }

        try
        {
            var reader = new Utf8JsonReader(order, isFinalBlock: true, state: default);
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                throw new ArgumentException("The order must be a JSON object.", nameof(order));
            }

            reader.Skip();
            if (reader.Read())
            {
                throw new ArgumentException("The order must be one JSON object with nothing after it.", nameof(order));
            }
        }
        catch (JsonException ex)
        {
            throw new ArgumentException($"The order is not valid JSON: {ex.Message}", nameof(order), ex);
        }
    }
}
