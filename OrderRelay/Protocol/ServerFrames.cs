using System.Text.Json.Serialization;

namespace OrderRelay.Protocol;

internal sealed record WelcomeFrame(
    string Role,
    string ConnectionId,
    string Epoch,
    long Seq,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] IReadOnlyCollection<string>? Merchants,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] bool? Recovered)
{
    [JsonPropertyOrder(-1)]
    public string Type { get; } = "welcome";

    /// <summary>Subscribers, when escalation is configured: how long after arrival an order not accepted is escalated.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public long? EscalationAfterMs { get; init; }

    /// <summary>Publishers that asked for receipts: the newest receipt cursor now.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public long? ReceiptsCursor { get; init; }

    /// <summary>Publishers that resumed receipts: false when some after their cursor are no longer kept.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public bool? ReceiptsRecovered { get; init; }
}

/// <summary>To every page of the order's merchant: a person accepted it.</summary>
internal sealed record AcceptedFrame(long Seq, [property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] string? MerchantId, string At)
{
    [JsonPropertyOrder(-1)]
    public string Type { get; } = "accepted";
}

/// <summary>To a publisher that asked for receipts: a page confirmed, or a person accepted, an order it published.</summary>
internal sealed record ReceiptFrame(
    long Cursor,
    long Seq,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Id,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] string? MerchantId,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? ConfirmedAt,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? MerchantAcceptedAt)
{
    [JsonPropertyOrder(-1)]
    public string Type { get; } = "receipt";
}

/// <summary>Body of <c>GET /orders/{id}</c> and <c>GET /orders/seq/{seq}</c>.</summary>
internal sealed record OrderStatusResponse(
    long Seq,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] string? Id,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] string? MerchantId,
    string AcceptedAt,
    int OnlineAtAcceptance,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] int? Delivered,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] string? ConfirmedAt,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] string? MerchantAcceptedAt,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] string? EscalatedAt);

internal sealed record AckFrame(
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Id,
    long Seq,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)] bool Duplicate)
{
    [JsonPropertyOrder(-1)]
    public string Type { get; } = "ack";
}

internal sealed record ErrorFrame(
    string Code,
    string Message,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Id)
{
    [JsonPropertyOrder(-1)]
    public string Type { get; } = "error";
}

/// <summary>Body of a successful <c>POST /publish</c>.</summary>
internal sealed record PublishResponse(long Seq, bool Duplicate);

/// <summary>Body of <c>GET /healthz</c>.</summary>
internal sealed record HealthResponse(string Status, bool Accepting, bool StoreHealthy, string Epoch, long Seq);

/// <summary>Body of <c>GET /merchants/{id}</c>.</summary>
internal sealed record MerchantStatusResponse(
    string MerchantId,
    int Online,
    long DeliveredSeq,
    long ConfirmedSeq,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] string? ConfirmedAt);
