using OrderRelay.Configuration;
using OrderRelay.Protocol;

namespace OrderRelay.Security;

/// <summary>
/// Decides, with no socket, what a connection's first frame makes of it: the frame must be a
/// well-formed <c>hello</c> naming a role; a publisher must present a configured key (unless none
/// is configured); a subscriber a valid token granting every merchant it asks for, on a token not
/// already at its share of connections. Every refusal closes with 1008 (policy).
/// </summary>
internal sealed class HelloAuthenticator(PublisherKeys publisherKeys, SubscriberTokens subscriberTokens, ConnectionLimiter limiter, RelayOptions options)
{
    /// <param name="hello">The first frame as parsed; null when it was not a text frame.</param>
    public async Task<HandshakeDecision> DecideAsync(ClientFrame? hello)
    {
        if (hello is null || hello.ProblemCode == ErrorCodes.BadJson || hello.Type != "hello")
        {
            return Refuse(ErrorCodes.HandshakeRequired, "The first frame must be {\"type\":\"hello\",\"role\":\"publisher\"|\"subscriber\"}.");
        }

        if (hello.ProblemCode is { } problem)
        {
            return Refuse(problem, hello.ProblemMessage!);
        }

        return hello.Role switch
        {
            ConnectionRole.Publisher => AuthenticatePublisher(hello.Token),
            ConnectionRole.Subscriber => await AuthenticateSubscriberAsync(hello.Token, hello.Merchants).ConfigureAwait(false),
            _ => Refuse(ErrorCodes.BadFrame, "\"role\" must be \"publisher\" or \"subscriber\"."),
        };
    }

    private HandshakeDecision AuthenticatePublisher(string? key)
    {
        if (publisherKeys.Required && !publisherKeys.Accepts(key))
        {
            return RefuseAuth(key is null ? "A publisher key is required as \"token\"." : "The publisher key is not valid.");
        }

        return new HandshakeDecision.AsPublisher(publisherKeys.IdentityOf(key));
    }

    private async Task<HandshakeDecision> AuthenticateSubscriberAsync(string? token, IReadOnlyList<string>? merchants)
    {
        var (grant, refusal) = await subscriberTokens.ValidateAsync(token).ConfigureAwait(false);
        if (grant is null)
        {
            return RefuseAuth(refusal!);
        }

        if (grant.FilterFor(merchants) is not { } filter)
        {
            return RefuseAuth("The token does not grant every merchant asked for.");
        }

        IDisposable? tokenLease = null;
        if (grant.TokenId is { } tokenId && (tokenLease = limiter.TryAdmitToken(tokenId)) is null)
        {
            return RefuseAuth($"This token is already used by {options.Limits.MaxSubscribersPerToken} connections.");
        }

        return new HandshakeDecision.AsSubscriber(filter, grant.ExpiresAt, tokenLease);
    }

    private static HandshakeDecision.Refused RefuseAuth(string reason) => Refuse(ErrorCodes.AuthFailed, reason);

    private static HandshakeDecision.Refused Refuse(string errorCode, string message) => new(CloseCodes.Policy, errorCode, message);
}
