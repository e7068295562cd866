using System.Text.Encodings.Web;
using System.Text.Json;
using OrderRelay.Protocol;
using OrderRelay.Storage;

namespace OrderRelay.Core.Escalation;

/// <summary>The webhook body: what an order system needs to call the merchant, with the order as it was published.</summary>
internal static class EscalationPayload
{
    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>Stable across attempts, so a receiver can drop a second delivery of one escalation.</summary>
    public static string DeliveryId(string epoch, long seq) => $"{epoch}:{seq}";

    public static byte[] Encode(EscalationDue due, string epoch, TimeSpan after)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, WriterOptions))
        {
            writer.WriteStartObject();
            writer.WriteString("type", "escalation");
            writer.WriteString("delivery_id", DeliveryId(epoch, due.Seq));
            writer.WriteNumber("seq", due.Seq);
            writer.WriteString("id", due.IdempotencyKey);
            writer.WriteString("merchant_id", due.MerchantId);
            writer.WriteString("accepted_at", FrameEncoder.Timestamp(due.AcceptedAt));
            writer.WriteString("confirmed_at", due.ConfirmedAt is { } confirmed ? FrameEncoder.Timestamp(confirmed) : null);
            writer.WriteNumber("escalation_after_ms", (long)after.TotalMilliseconds);
            writer.WriteNumber("attempt", due.Attempt);
            writer.WritePropertyName("order");
            if (due.Order is { } order)
            {
                // Verbatim, as subscribers get it.
                writer.WriteRawValue(order, skipInputValidation: true);
            }
            else
            {
                writer.WriteNullValue();
            }

            writer.WriteEndObject();
        }

        return buffer.ToArray();
    }
}
