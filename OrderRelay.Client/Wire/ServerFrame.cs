using System.Text.Json;

namespace OrderRelay.Client.Wire;

/// <summary>Any frame the relay sends; each type fills the members it has (protocol v1).</summary>
internal sealed record ServerFrame
{
    public string? Type { get; init; }

    public string? Code { get; init; }

    public string? Message { get; init; }

    public string? Id { get; init; }

    public long? Seq { get; init; }

    public bool? Duplicate { get; init; }

    public string? ConnectionId { get; init; }

    public string? Epoch { get; init; }

    public IReadOnlyList<string>? Merchants { get; init; }

    public bool? Recovered { get; init; }

    public string? MerchantId { get; init; }

    public DateTimeOffset? Ts { get; init; }

    /// <summary>Kept as the relay sent it: <see cref="JsonElement.GetRawText"/> gives the publisher's bytes.</summary>
    public JsonElement? Order { get; init; }
}
