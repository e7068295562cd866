using System.Net.WebSockets;
using OrderRelay.Protocol;

namespace OrderRelay.Security;

/// <summary>What a connection's <c>hello</c> makes of it: a publisher, a subscriber, or a refusal to send before closing.</summary>
internal abstract record HandshakeDecision
{
    private HandshakeDecision()
    {
    }

    /// <param name="Identity">Who the publisher is, for receipts: its key's fingerprint, or <c>open</c> (<see cref="PublisherKeys.IdentityOf"/>).</param>
    internal sealed record AsPublisher(string Identity) : HandshakeDecision;

    /// <param name="Filter">The merchants the connection receives: those it asked for, all within its grant.</param>
    /// <param name="ExpiresAt">When the token stops working, and the connection with it; null in open mode.</param>
    /// <param name="TokenLease">The connection's place among its token's subscribers, released when it ends; null in open mode.</param>
    internal sealed record AsSubscriber(MerchantFilter Filter, DateTimeOffset? ExpiresAt, IDisposable? TokenLease) : HandshakeDecision;

    /// <param name="Message">Safe to show the client: it names no key or secret.</param>
    internal sealed record Refused(WebSocketCloseStatus CloseCode, string ErrorCode, string Message) : HandshakeDecision;
}
