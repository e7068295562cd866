using System.Text.Json.Serialization;

namespace OrderRelay.Client.Wire;

[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    PropertyNameCaseInsensitive = false)]
[JsonSerializable(typeof(ServerFrame))]
[JsonSerializable(typeof(HelloFrame))]
[JsonSerializable(typeof(ConfirmFrame))]
[JsonSerializable(typeof(HttpPublishAnswer))]
[JsonSerializable(typeof(HttpProblem))]
internal sealed partial class ClientJson : JsonSerializerContext;
