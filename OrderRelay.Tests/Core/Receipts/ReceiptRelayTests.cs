using OrderRelay.Tests.Security;
using OrderRelay.Tests.Support;

namespace OrderRelay.Tests.Core.Receipts;

/// <summary>
/// What the receipt and accept tests share: a relay of their own for each test that wants keys and tokens,
/// on each store that keeps receipts (the derived class names them with <c>[TestFixture]</c>).
/// </summary>
public abstract class ReceiptRelayTests(string store, params string[] settings)
    : RelayServerTests([$"Relay:Store={store}", .. SecuredRelay.Settings, .. settings])
{
    /// <summary>A merchant's page: a subscriber with a token for <paramref name="merchantId"/>.</summary>
    private protected Task<WsClient> ConnectPageAsync(string merchantId) =>
        Relay.ConnectSubscriberAsync(SecuredRelay.Hello(SecuredRelay.Token(merchantId)));

    /// <param name="extraJson">More members of the hello, e.g. <c>,"receipts":true</c>.</param>
    private protected Task<WsClient> ConnectPublisherAsync(string key = SecuredRelay.PublisherKey, string extraJson = "") =>
        Relay.ConnectPublisherAsync(SecuredRelay.PublisherHello(key, extraJson));
}
