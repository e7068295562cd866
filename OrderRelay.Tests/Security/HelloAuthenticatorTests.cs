using System.Net.WebSockets;
using System.Text;
using OrderRelay.Configuration;
using OrderRelay.Protocol;
using OrderRelay.Security;

namespace OrderRelay.Tests.Security;

/// <summary>
/// The handshake decision with no socket: each refusal with its error and close code, and each
/// acceptance with what it grants. The wire side of the same paths is in AuthenticationTests and HandshakeTests.
/// </summary>
[CancelAfter(30_000)]
public sealed class HelloAuthenticatorTests
{
    private static readonly ClientFrameParser Parser = new("merchant_id");

    [TestCase(null, TestName = "NotATextFrame_HandshakeRequired")]
    [TestCase("""{"type":"ping"}""", TestName = "FirstFrameNotHello_HandshakeRequired")]
    [TestCase("""{"type":"hello",""", TestName = "FirstFrameNotJson_HandshakeRequired")]
    public async Task FirstFrameThatIsNoHello_IsRefusedWithHandshakeRequiredAnd1008(string? first)
    {
        var refused = await RefusedAsync(Secured(), first);

        Assert.That(refused.ErrorCode, Is.EqualTo(ErrorCodes.HandshakeRequired));
        Assert.That(refused.CloseCode, Is.EqualTo(WebSocketCloseStatus.PolicyViolation));
    }

    [TestCase("""{"type":"hello","role":"subscriber","merchants":[]}""", "at least one merchant", TestName = "HelloWithABadField_IsRefusedWithTheParsersProblem")]
    [TestCase("""{"type":"hello","role":"admin"}""", "\"role\"", TestName = "HelloWithAnUnknownRole_IsRefusedWithBadFrame")]
    public async Task BadHello_IsRefusedWithBadFrameSayingWhy(string hello, string reason)
    {
        var refused = await RefusedAsync(Open(), hello);

        Assert.That(refused.ErrorCode, Is.EqualTo(ErrorCodes.BadFrame));
        Assert.That(refused.Message, Does.Contain(reason));
        Assert.That(refused.CloseCode, Is.EqualTo(WebSocketCloseStatus.PolicyViolation));
    }

    [Test]
    public async Task Publisher_InOpenMode_IsAcceptedAsTheOpenPublisher()
    {
        var decision = await DecideAsync(Open(), """{"type":"hello","role":"publisher"}""");

        Assert.That(decision, Is.EqualTo(new HandshakeDecision.AsPublisher(PublisherKeys.OpenIdentity)));
    }

    [Test]
    public async Task Publisher_WithAConfiguredKey_IsAcceptedAsThatKeysFingerprint()
    {
        var decision = await DecideAsync(Secured(), $$"""{"type":"hello","role":"publisher","token":"{{SecuredRelay.PublisherKey}}"}""");

        Assert.That(decision, Is.EqualTo(new HandshakeDecision.AsPublisher(PublisherKeys.Fingerprint(SecuredRelay.PublisherKey))));
        Assert.That(((HandshakeDecision.AsPublisher)decision).Identity, Does.Not.Contain(SecuredRelay.PublisherKey));
    }

    [TestCase("""{"type":"hello","role":"publisher"}""", "required", TestName = "PublisherWithoutKey_AuthFailed")]
    [TestCase("""{"type":"hello","role":"publisher","token":"pk-wrong-0123456789abcdef"}""", "not valid", TestName = "PublisherWithWrongKey_AuthFailed")]
    public async Task Publisher_WithoutAConfiguredKey_IsRefusedWithAuthFailedAnd1008(string hello, string reason)
    {
        var refused = await RefusedAsync(Secured(), hello);

        Assert.That(refused.ErrorCode, Is.EqualTo(ErrorCodes.AuthFailed));
        Assert.That(refused.Message, Does.Contain(reason));
        Assert.That(refused.CloseCode, Is.EqualTo(WebSocketCloseStatus.PolicyViolation));
    }

    [Test]
    public async Task Subscriber_InOpenMode_GetsEveryMerchantWithNoExpiryAndNoTokenLease()
    {
        var decision = await DecideAsync(Open(), """{"type":"hello","role":"subscriber"}""");

        var subscriber = (HandshakeDecision.AsSubscriber)decision;
        Assert.That(subscriber.Filter.IsEverything, Is.True);
        Assert.That(subscriber.ExpiresAt, Is.Null);
        Assert.That(subscriber.TokenLease, Is.Null);
    }

    [Test]
    public async Task Subscriber_WithAValidToken_GetsTheMerchantsAskedFor_UntilTheTokenExpires()
    {
        var expires = DateTimeOffset.UtcNow.AddHours(1);
        var token = SubscriberTokens.Mint(SecuredRelay.Secret, ["m-1", "m-2"], expires);

        var decision = await DecideAsync(Secured(), SecuredRelay.Hello(token, """["m-2"]"""));

        var subscriber = (HandshakeDecision.AsSubscriber)decision;
        Assert.That(subscriber.Filter.Merchants, Is.EquivalentTo(new[] { "m-2" }));
        Assert.That(subscriber.ExpiresAt, Is.EqualTo(expires).Within(TimeSpan.FromSeconds(1)), "JWT exp is in whole seconds");
        Assert.That(subscriber.TokenLease, Is.Not.Null);
        subscriber.TokenLease!.Dispose();
    }

    [TestCase(false, "required", TestName = "SubscriberWithoutToken_AuthFailed")]
    [TestCase(true, "expired", TestName = "SubscriberWithExpiredToken_AuthFailed")]
    public async Task Subscriber_WithoutAValidToken_IsRefusedWithAuthFailedAnd1008(bool withExpiredToken, string reason)
    {
        var hello = withExpiredToken
            ? SecuredRelay.Hello(SecuredRelay.Token(TimeSpan.FromMinutes(-5), "m-1"))
            : """{"type":"hello","role":"subscriber"}""";

        var refused = await RefusedAsync(Secured(), hello);

        Assert.That(refused.ErrorCode, Is.EqualTo(ErrorCodes.AuthFailed));
        Assert.That(refused.Message, Does.Contain(reason));
        Assert.That(refused.CloseCode, Is.EqualTo(WebSocketCloseStatus.PolicyViolation));
    }

    [Test]
    public async Task Subscriber_AskingForAMerchantItsTokenDoesNotGrant_IsRefusedWithAuthFailed()
    {
        var refused = await RefusedAsync(Secured(), SecuredRelay.Hello(SecuredRelay.Token("m-1"), """["m-1","m-2"]"""));

        Assert.That(refused.ErrorCode, Is.EqualTo(ErrorCodes.AuthFailed));
        Assert.That(refused.Message, Does.Contain("does not grant"));
    }

    [Test]
    public async Task Subscriber_OnATokenAtItsShareOfConnections_IsRefused_UntilAnotherOfItsConnectionsEnds()
    {
        var options = Secured();
        options.Limits.MaxSubscribersPerToken = 1;
        var authenticator = Authenticator(options);
        var hello = SecuredRelay.Hello(SecuredRelay.Token("m-1"));

        var first = (HandshakeDecision.AsSubscriber)await authenticator.DecideAsync(Parse(hello));
        var refused = (HandshakeDecision.Refused)await authenticator.DecideAsync(Parse(hello));
        first.TokenLease!.Dispose();
        var after = (HandshakeDecision.AsSubscriber)await authenticator.DecideAsync(Parse(hello));

        Assert.That(refused.ErrorCode, Is.EqualTo(ErrorCodes.AuthFailed));
        Assert.That(refused.Message, Does.Contain("already used by 1 connections"));
        Assert.That(after.TokenLease, Is.Not.Null);
        after.TokenLease!.Dispose();
    }

    private static RelayOptions Open() => new();

    private static RelayOptions Secured() => new()
    {
        Auth = new AuthOptions { PublisherKeys = [SecuredRelay.PublisherKey], SubscriberSecret = SecuredRelay.Secret },
    };

    private static HelloAuthenticator Authenticator(RelayOptions options) =>
        new(new PublisherKeys(options.Auth.PublisherKeys), new SubscriberTokens(options.Auth), new ConnectionLimiter(options.Limits), options);

    private static ClientFrame? Parse(string? first) => first is null ? null : Parser.Parse(Encoding.UTF8.GetBytes(first));

    private static Task<HandshakeDecision> DecideAsync(RelayOptions options, string? first) => Authenticator(options).DecideAsync(Parse(first));

    private static async Task<HandshakeDecision.Refused> RefusedAsync(RelayOptions options, string? first)
    {
        var decision = await DecideAsync(options, first);
        Assert.That(decision, Is.TypeOf<HandshakeDecision.Refused>());
        return (HandshakeDecision.Refused)decision;
    }
}
