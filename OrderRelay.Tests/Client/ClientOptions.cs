using Microsoft.Extensions.Logging;
using OrderRelay.Client;

namespace OrderRelay.Tests.Client;

/// <summary>Client settings for tests: short back-off, so reconnections happen within the test's bound.</summary>
internal static class ClientOptions
{
    public static RelayPublisherOptions Publisher(Uri relay, string? key = null, ILogger? logger = null) => new()
    {
        RelayUri = relay,
        Key = key,
        ReconnectDelay = TimeSpan.FromMilliseconds(100),
        MaxReconnectDelay = TimeSpan.FromSeconds(1),
        Logger = logger,
    };

    public static RelaySubscriberOptions Subscriber(Uri relay, string? token = null, params string[] merchants) => new()
    {
        RelayUri = relay,
        Token = token,
        Merchants = merchants.Length > 0 ? merchants : null,
        ReconnectDelay = TimeSpan.FromMilliseconds(100),
        MaxReconnectDelay = TimeSpan.FromSeconds(1),
    };
}
