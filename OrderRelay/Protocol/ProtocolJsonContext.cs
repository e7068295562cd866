using System.Text.Json.Serialization;

namespace OrderRelay.Protocol;

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, GenerationMode = JsonSourceGenerationMode.Default)]
[JsonSerializable(typeof(WelcomeFrame))]
[JsonSerializable(typeof(AckFrame))]
[JsonSerializable(typeof(ErrorFrame))]
[JsonSerializable(typeof(PublishResponse))]
[JsonSerializable(typeof(HealthResponse))]
[JsonSerializable(typeof(MerchantStatusResponse))]
[JsonSerializable(typeof(AcceptedFrame))]
[JsonSerializable(typeof(ReceiptFrame))]
[JsonSerializable(typeof(OrderStatusResponse))]
internal sealed partial class ProtocolJsonContext : JsonSerializerContext;
