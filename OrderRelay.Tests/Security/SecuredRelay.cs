using OrderRelay.Security;

namespace OrderRelay.Tests.Security;

/// <summary>Settings and token minting shared by the security tests.</summary>
internal static class SecuredRelay
{
    public const string PublisherKey = "pk-test-0123456789abcdef";
    public const string Secret = "subscriber-secret-of-at-least-32-bytes!";

    public static readonly string[] Settings =
    [
        $"Relay:Auth:PublisherKeys:0={PublisherKey}",
        $"Relay:Auth:SubscriberSecret={Secret}",
    ];

    public static string Token(params string[] merchants) => Token(TimeSpan.FromHours(1), merchants);

    public static string Token(TimeSpan lifetime, params string[] merchants) =>
        SubscriberTokens.Mint(Secret, merchants, DateTimeOffset.UtcNow + lifetime);

    /// <param name="extraJson">More members of the hello, e.g. <c>,"receipts":true</c>.</param>
    public static string PublisherHello(string key = PublisherKey, string extraJson = "") =>
        $$"""{"type":"hello","role":"publisher","token":"{{key}}"{{extraJson}}}""";

    public static string Hello(string token, string merchantsJson = "") =>
        $$"""{"type":"hello","role":"subscriber","token":"{{token}}"{{(merchantsJson.Length > 0 ? ",\"merchants\":" + merchantsJson : "")}}}""";
}
