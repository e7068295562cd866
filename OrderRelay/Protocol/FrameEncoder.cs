using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace OrderRelay.Protocol;

/// <summary>Encodes the relay's control frames to UTF-8 JSON with the source-generated serializer.</summary>
internal static class FrameEncoder
{
    /// <summary>Non-ASCII text (merchant names, messages) goes out as is, not \u-escaped: the frames are not HTML.</summary>
    public static readonly ProtocolJsonContext Json = new(new JsonSerializerOptions
    {
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
    });

    private static readonly byte[] PongBytes = """{"type":"pong"}"""u8.ToArray();

    public static ControlFrame Pong { get; } = new(PongBytes);

    public static ControlFrame Welcome(WelcomeFrame welcome) => new(JsonSerializer.SerializeToUtf8Bytes(welcome, Json.WelcomeFrame));

    public static byte[] Ack(string? id, PublishOutcome outcome) =>
        JsonSerializer.SerializeToUtf8Bytes(new AckFrame(id, outcome.Seq, outcome.Duplicate), Json.AckFrame);

    public static byte[] ErrorBytes(string code, string message, string? id = null) =>
        JsonSerializer.SerializeToUtf8Bytes(new ErrorFrame(code, message, id), Json.ErrorFrame);

    public static ControlFrame Accepted(long seq, string? merchantId, DateTimeOffset at) =>
        new(JsonSerializer.SerializeToUtf8Bytes(new AcceptedFrame(seq, merchantId, Timestamp(at)), Json.AcceptedFrame));

    public static ControlFrame Receipt(ReceiptFrame receipt) => new(JsonSerializer.SerializeToUtf8Bytes(receipt, Json.ReceiptFrame));

    public static ControlFrame Error(string code, string message, string? id = null) => new(ErrorBytes(code, message, id));

    /// <summary>ISO 8601 UTC with milliseconds and <c>Z</c>, as the protocol's <c>ts</c>.</summary>
    public const string TimestampFormat = "yyyy-MM-dd'T'HH:mm:ss.fff'Z'";

    /// <summary>A time as the protocol's <c>ts</c> (<see cref="TimestampFormat"/>).</summary>
    public static string Timestamp(DateTimeOffset value) => value.UtcDateTime.ToString(TimestampFormat, CultureInfo.InvariantCulture);

    /// <summary>A time that may not have happened yet (a confirmation, an escalation), null as null.</summary>
    public static string? Timestamp(DateTimeOffset? value) => value is { } at ? Timestamp(at) : null;
}
