using System.Text.Json.Serialization;

namespace OrderRelay.Client.Wire;

/// <summary>The first frame of every connection; members left null are not sent.</summary>
internal sealed record HelloFrame(string Role, string? Token, IReadOnlyList<string>? Merchants = null, long? Since = null, string? Epoch = null)
{
    [JsonPropertyOrder(-1)]
    public string Type { get; } = "hello";
}

/// <summary>A subscriber's read receipt.</summary>
internal sealed record ConfirmFrame(long Seq)
{
    [JsonPropertyOrder(-1)]
    public string Type { get; } = "ack";
}

/// <summary>The body of a 200 answer to POST /publish.</summary>
internal sealed record HttpPublishAnswer(long Seq, bool Duplicate);

/// <summary>An RFC 9457 problem from POST /publish, with the relay's extra <c>code</c> member.</summary>
internal sealed record HttpProblem(string? Title, string? Detail, string? Code);
