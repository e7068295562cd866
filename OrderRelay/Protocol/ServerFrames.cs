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
}

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
