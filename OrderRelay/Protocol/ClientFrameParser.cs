using System.Globalization;
using System.Text;
using System.Text.Json;

namespace OrderRelay.Protocol;

/// <summary>
/// Reads client frames in one pass with <see cref="Utf8JsonReader"/>: every field the
/// protocol knows, and the order object as a byte range (so it can be forwarded verbatim)
/// together with its routing key.
/// </summary>
internal sealed class ClientFrameParser(string merchantField)
{
    /// <summary>Longest idempotency key, merchant id, epoch or token accepted, in characters.</summary>
    public const int MaxIdentifierLength = 256;

    /// <summary>Most merchants one subscriber connection may name.</summary>
    public const int MaxMerchantsPerSubscription = 1000;

    private static readonly JsonReaderOptions ReaderOptions = new() { MaxDepth = 64 };

    private readonly byte[] _merchantField = Encoding.UTF8.GetBytes(merchantField);

    public string MerchantField { get; } = merchantField;

    public ClientFrame Parse(ReadOnlySpan<byte> utf8)
    {
        var frame = new ClientFrame();
        var reader = new Utf8JsonReader(utf8, ReaderOptions);
        try
        {
            if (!reader.Read())
            {
                frame.Problem(ErrorCodes.BadJson, "The frame is empty; send one JSON object.");
                return frame;
            }

            if (reader.TokenType != JsonTokenType.StartObject)
            {
                reader.Skip();
                reader.Read();
                frame.Problem(ErrorCodes.BadFrame, "A frame must be a JSON object.");
                return frame;
            }

            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                ReadField(ref reader, frame);
            }

            // Throws on anything after the object but whitespace.
            reader.Read();
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException)
        {
            frame.Problem(ErrorCodes.BadJson, "The frame is not valid JSON.");
            return frame;
        }

        if (frame.Type is null)
        {
            frame.Problem(ErrorCodes.BadFrame, "A frame needs a string field \"type\".");
        }

        return frame;
    }

    /// <summary>Reads a bare order object, as <c>POST /publish</c> receives it.</summary>
    public ClientFrame ParseOrder(ReadOnlySpan<byte> utf8)
    {
        var frame = new ClientFrame();
        if (!System.Text.Unicode.Utf8.IsValid(utf8))
        {
            frame.Problem(ErrorCodes.BadJson, "The body is not valid UTF-8.");
            return frame;
        }

        var reader = new Utf8JsonReader(utf8, ReaderOptions);
        try
        {
            if (!reader.Read())
            {
                frame.Problem(ErrorCodes.BadJson, "The body is empty; send the order as a JSON object.");
                return frame;
            }

            ReadOrder(ref reader, frame);
            reader.Read();
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException)
        {
            frame.Problem(ErrorCodes.BadJson, "The body is not valid JSON.");
        }

        return frame;
    }

    /// <summary>
    /// Finds a top-level string <c>id</c> in the first bytes of a message too large to read
    /// whole, so that its <c>too_large</c> error can still name it.
    /// </summary>
    public static string? TryReadLeadingId(ReadOnlySpan<byte> prefix)
    {
        var reader = new Utf8JsonReader(prefix, isFinalBlock: false, state: default);
        try
        {
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return null;
            }

            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var isId = reader.ValueTextEquals("id"u8);
                if (!reader.Read())
                {
                    return null;
                }

                if (isId)
                {
                    return reader.TokenType == JsonTokenType.String && reader.ValueSpan.Length <= MaxIdentifierLength ? reader.GetString() : null;
                }

                if (!reader.TrySkip())
                {
                    return null;
                }
            }
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException)
        {
            // A broken prefix simply has no id to report.
        }

        return null;
    }

    private void ReadField(ref Utf8JsonReader reader, ClientFrame frame)
    {
        if (reader.ValueTextEquals("type"u8))
        {
            reader.Read();
            frame.Type = ReadIdentifier(ref reader, frame, "type");
        }
        else if (reader.ValueTextEquals("id"u8))
        {
            reader.Read();
            frame.Id = ReadIdentifier(ref reader, frame, "id");
        }
        else if (reader.ValueTextEquals("order"u8))
        {
            reader.Read();
            ReadOrder(ref reader, frame);
        }
        else if (reader.ValueTextEquals("role"u8))
        {
            reader.Read();
            frame.Role = ReadIdentifier(ref reader, frame, "role");
        }
        else if (reader.ValueTextEquals("token"u8))
        {
            reader.Read();
            frame.Token = ReadString(ref reader, frame, "token", maxLength: 8192);
        }
        else if (reader.ValueTextEquals("epoch"u8))
        {
            reader.Read();
            frame.Epoch = ReadIdentifier(ref reader, frame, "epoch");
        }
        else if (reader.ValueTextEquals("merchants"u8))
        {
            reader.Read();
            frame.Merchants = ReadMerchants(ref reader, frame);
        }
        else if (reader.ValueTextEquals("since"u8))
        {
            reader.Read();
            frame.Since = ReadSequence(ref reader, frame, "since", minimum: 0);
        }
        else if (reader.ValueTextEquals("seq"u8))
        {
            reader.Read();
            frame.Seq = ReadSequence(ref reader, frame, "seq", minimum: 1);
        }
        else if (reader.ValueTextEquals("receipts"u8))
        {
            reader.Read();
            frame.Receipts = ReadFlag(ref reader, frame, "receipts");
        }
        else if (reader.ValueTextEquals("receipts_after"u8))
        {
            reader.Read();
            frame.ReceiptsAfter = ReadSequence(ref reader, frame, "receipts_after", minimum: 0);
        }
        else
        {
            reader.Read();
            reader.Skip();
        }
    }

    private void ReadOrder(ref Utf8JsonReader reader, ClientFrame frame)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            frame.Order = OrderField.NotAnObject;
            reader.Skip();
            return;
        }

        var start = (int)reader.TokenStartIndex;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var isRoutingKey = reader.ValueTextEquals(_merchantField);
            reader.Read();
            if (isRoutingKey)
            {
                frame.OrderMerchantId = ReadMerchantId(ref reader, frame, $"order.{MerchantField}");
            }
            else
            {
                reader.Skip();
            }
        }

        frame.Order = OrderField.Object;
        frame.OrderRange = new Range(start, (int)reader.BytesConsumed);
    }

    private static List<string>? ReadMerchants(ref Utf8JsonReader reader, ClientFrame frame)
    {
        if (reader.TokenType == JsonTokenType.Null)
        {
            return null;
        }

        if (reader.TokenType != JsonTokenType.StartArray)
        {
            reader.Skip();
            frame.Problem(ErrorCodes.BadFrame, "\"merchants\" must be an array of merchant ids.");
            return null;
        }

        var merchants = new List<string>();
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            var merchantId = ReadMerchantId(ref reader, frame, "merchants[]");
            if (merchants.Count >= MaxMerchantsPerSubscription)
            {
                frame.Problem(ErrorCodes.BadFrame, $"\"merchants\" may name at most {MaxMerchantsPerSubscription} merchants.");
            }
            else if (merchantId is not null)
            {
                merchants.Add(merchantId);
            }
        }

        if (merchants.Count == 0)
        {
            frame.Problem(ErrorCodes.BadFrame, "\"merchants\" must name at least one merchant; leave it out to receive every merchant.");
        }

        return merchants;
    }

    /// <summary>A merchant id is a non-empty string or an integer; integers are routed as their decimal text.</summary>
    private static string? ReadMerchantId(ref Utf8JsonReader reader, ClientFrame frame, string field)
    {
        switch (reader.TokenType)
        {
            case JsonTokenType.String:
                var text = reader.GetString()!;
                if (text.Length is > 0 and <= MaxIdentifierLength)
                {
                    return text;
                }

                frame.Problem(ErrorCodes.BadFrame, $"\"{field}\" must be 1 to {MaxIdentifierLength} characters long.");
                return null;
            case JsonTokenType.Number when reader.TryGetInt64(out var number):
                return number.ToString(CultureInfo.InvariantCulture);
            case JsonTokenType.Null:
                return null;
            default:
                reader.Skip();
                frame.Problem(ErrorCodes.BadFrame, $"\"{field}\" must be a string or an integer.");
                return null;
        }
    }

    private static string? ReadIdentifier(ref Utf8JsonReader reader, ClientFrame frame, string field) =>
        ReadString(ref reader, frame, field, MaxIdentifierLength);

    private static string? ReadString(ref Utf8JsonReader reader, ClientFrame frame, string field, int maxLength)
    {
        if (reader.TokenType == JsonTokenType.String)
        {
            var text = reader.GetString()!;
            if (text.Length <= maxLength)
            {
                return text;
            }

            frame.Problem(ErrorCodes.BadFrame, $"\"{field}\" is longer than {maxLength} characters.");
            return null;
        }

        if (reader.TokenType != JsonTokenType.Null)
        {
            reader.Skip();
            frame.Problem(ErrorCodes.BadFrame, $"\"{field}\" must be a string.");
        }

        return null;
    }

    private static bool ReadFlag(ref Utf8JsonReader reader, ClientFrame frame, string field)
    {
        switch (reader.TokenType)
        {
            case JsonTokenType.True:
                return true;
            case JsonTokenType.False or JsonTokenType.Null:
                return false;
            default:
                reader.Skip();
                frame.Problem(ErrorCodes.BadFrame, $"\"{field}\" must be true or false.");
                return false;
        }
    }

    private static long? ReadSequence(ref Utf8JsonReader reader, ClientFrame frame, string field, long minimum)
    {
        if (reader.TokenType == JsonTokenType.Number && reader.TryGetInt64(out var value) && value >= minimum)
        {
            return value;
        }

        if (reader.TokenType == JsonTokenType.Null)
        {
            return null;
        }

        reader.Skip();
        frame.Problem(ErrorCodes.BadFrame, $"\"{field}\" must be an integer of at least {minimum}.");
        return null;
    }
}
