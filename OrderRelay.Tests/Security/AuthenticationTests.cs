using System.Net;
using System.Net.Http.Headers;
using System.Net.WebSockets;
using System.Text;
using OrderRelay.Security;
using OrderRelay.Tests.Support;

namespace OrderRelay.Tests.Security;

[CancelAfter(30_000)]
public sealed class AuthenticationTests() : RelayServerTests(SecuredRelay.Settings)
{
    [Test]
    public async Task PublisherWithKey_Welcomed()
    {
        await using var publisher = await Relay.ConnectAsync();

        var welcome = await publisher.HelloAsync(SecuredRelay.PublisherHello());

        Assert.That(welcome.GetProperty("role").GetString(), Is.EqualTo("publisher"));
    }

    [TestCase("""{"type":"hello","role":"publisher","token":"pk-wrong-0123456789abcdef"}""", TestName = "PublisherWithWrongKey_AuthFailedAnd1008")]
    [TestCase("""{"type":"hello","role":"publisher"}""", TestName = "PublisherWithoutKey_AuthFailedAnd1008")]
    [TestCase("""{"type":"hello","role":"subscriber"}""", TestName = "SubscriberWithoutToken_AuthFailedAnd1008")]
    [TestCase("""{"type":"hello","role":"subscriber","token":"not.a.jwt"}""", TestName = "SubscriberWithGarbageToken_AuthFailedAnd1008")]
    public async Task BadCredentials_Refused(string hello)
    {
        await Relay.ExpectRefusedAsync(hello, "auth_failed");
    }

    [Test]
    public async Task ExpiredToken_AuthFailed()
    {
        await using var client = await Relay.ConnectAsync();
        await client.SendAsync(SecuredRelay.Hello(SecuredRelay.Token(TimeSpan.FromMinutes(-5), "m-1")));

        var error = await client.ReceiveAsync();
        Assert.That(error.Code(), Is.EqualTo("auth_failed"));
        Assert.That(error.GetProperty("message").GetString(), Does.Contain("expired"));
    }

    [Test]
    public async Task TokenWithWrongSignature_AuthFailed()
    {
        var forged = SubscriberTokens.Mint("another-secret-that-is-32-bytes-long!!", ["*"], DateTimeOffset.UtcNow.AddHours(1));
        await Relay.ExpectRefusedAsync(SecuredRelay.Hello(forged), "auth_failed");
    }

    [Test]
    public async Task AlgNoneToken_AuthFailed()
    {
        static string Segment(string json) => Convert.ToBase64String(Encoding.UTF8.GetBytes(json)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        var exp = DateTimeOffset.UtcNow.AddHours(1).ToUnixTimeSeconds();
        var unsigned = $$"""{{Segment("""{"alg":"none","typ":"JWT"}""")}}.{{Segment($$"""{"merchants":["*"],"exp":{{exp}}}""")}}.""";
        await Relay.ExpectRefusedAsync(SecuredRelay.Hello(unsigned), "auth_failed");
    }

    /// <summary>The PHP recipe in docs/security.md builds the JWT by hand with HMAC-SHA256; the relay must accept exactly that.</summary>
    [Test]
    public async Task TokenMintedByHandLikeThePhpRecipe_Accepted()
    {
        var exp = DateTimeOffset.UtcNow.AddHours(1).ToUnixTimeSeconds();

        await using var page = await Relay.ConnectSubscriberAsync(SecuredRelay.Hello(SignByHand($$"""{"merchants":["m-1001"],"exp":{{exp}}}""")));

        Assert.That(page.Welcome.GetProperty("merchants")[0].GetString(), Is.EqualTo("m-1001"));
    }

    /// <summary>Correctly signed, so only the claims' JSON types can refuse them; a careless backend mints exactly these.</summary>
    [TestCase("""{"merchants":"*","exp":EXP}""", "merchants", TestName = "TokenWithMerchantsAsAString_AuthFailed")]
    [TestCase("""{"merchants":"m-1","exp":EXP}""", "merchants", TestName = "TokenWithOneMerchantAsAString_AuthFailed")]
    [TestCase("""{"merchants":{"id":"m-1"},"exp":EXP}""", "merchants", TestName = "TokenWithMerchantsAsAnObject_AuthFailed")]
    [TestCase("""{"merchants":[null],"exp":EXP}""", "merchants", TestName = "TokenWithANullMerchant_AuthFailed")]
    [TestCase("""{"merchants":[1001],"exp":EXP}""", "merchants", TestName = "TokenWithANumberAsMerchant_AuthFailed")]
    [TestCase("""{"merchants":[["m-1"]],"exp":EXP}""", "merchants", TestName = "TokenWithANestedArrayAsMerchant_AuthFailed")]
    [TestCase("""{"merchants":[""],"exp":EXP}""", "merchants", TestName = "TokenWithAnEmptyMerchantId_AuthFailed")]
    [TestCase("""{"merchants":[],"exp":EXP}""", "merchants", TestName = "TokenWithNoMerchants_AuthFailed")]
    [TestCase("""{"exp":EXP}""", "merchants", TestName = "TokenWithoutMerchantsClaim_AuthFailed")]
    [TestCase("""{"merchants":["*"],"exp":"EXP"}""", "exp", TestName = "TokenWithExpAsAString_AuthFailed")]
    public async Task TokenWithClaimOfTheWrongType_AuthFailedNamingTheClaim(string payload, string claim)
    {
        var exp = DateTimeOffset.UtcNow.AddHours(1).ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture);
        await using var client = await Relay.ConnectAsync();
        await client.SendAsync(SecuredRelay.Hello(SignByHand(payload.Replace("EXP", exp, StringComparison.Ordinal))));

        var error = await client.ReceiveAsync();
        Assert.That(error.Code(), Is.EqualTo("auth_failed"));
        Assert.That(error.GetProperty("message").GetString(), Does.Contain($"\"{claim}\""));
        Assert.That(await client.ReceiveCloseAsync(), Is.EqualTo(WebSocketCloseStatus.PolicyViolation));
    }

    /// <summary>Header and payload as given, signed with HMAC-SHA256 over the secret, as the PHP recipe does.</summary>
    private static string SignByHand(string payloadJson)
    {
        static string Segment(byte[] data) => Convert.ToBase64String(data).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        var signed = Segment(Encoding.UTF8.GetBytes("""{"alg":"HS256","typ":"JWT"}""")) + "." + Segment(Encoding.UTF8.GetBytes(payloadJson));
        return signed + "." + Segment(System.Security.Cryptography.HMACSHA256.HashData(Encoding.UTF8.GetBytes(SecuredRelay.Secret), Encoding.UTF8.GetBytes(signed)));
    }

    [Test]
    public async Task TokenWithoutExp_AuthFailed()
    {
        var handler = new Microsoft.IdentityModel.JsonWebTokens.JsonWebTokenHandler { SetDefaultTimesOnTokenCreation = false };
        var token = handler.CreateToken(new Microsoft.IdentityModel.Tokens.SecurityTokenDescriptor
        {
            Claims = new Dictionary<string, object> { ["merchants"] = new[] { "*" } },
            SigningCredentials = new Microsoft.IdentityModel.Tokens.SigningCredentials(
                SubscriberTokens.SigningKey(SecuredRelay.Secret), Microsoft.IdentityModel.Tokens.SecurityAlgorithms.HmacSha256),
        });
        await Relay.ExpectRefusedAsync(SecuredRelay.Hello(token), "auth_failed");
    }

    [Test]
    public async Task TokenForM1AskingForM2_AuthFailed()
    {
        await Relay.ExpectRefusedAsync(SecuredRelay.Hello(SecuredRelay.Token("m-1"), """["m-1","m-2"]"""), "auth_failed");
    }

    [Test]
    public async Task TokenWithoutMerchantsAsked_ReceivesExactlyItsGrantedMerchants()
    {
        await using var page = await Relay.ConnectSubscriberAsync(SecuredRelay.Hello(SecuredRelay.Token("m-1", "m-3")));
        await using var publisher = await Relay.ConnectPublisherAsync(SecuredRelay.PublisherHello());
        for (var i = 1; i <= 4; i++)
        {
            await publisher.PublishAsync(Frames.Order($"m-{i}", i));
        }

        await publisher.PublishAsync("""{"order_id":5}""");
        await publisher.PublishAsync(Frames.Order("m-3", 6));

        Assert.That(page.Welcome.GetProperty("merchants").EnumerateArray().Select(m => m.GetString()), Is.EquivalentTo(new[] { "m-1", "m-3" }));
        Assert.That(await page.ReceiveOrderSeqsAsync(3), Is.EqualTo(new long[] { 1, 3, 6 }), "no other merchant's order, none without a merchant");
    }

    [Test]
    public async Task StarToken_ReceivesEveryOrderIncludingThoseWithoutMerchant()
    {
        await using var page = await Relay.ConnectSubscriberAsync(SecuredRelay.Hello(SecuredRelay.Token("*")));
        await using var publisher = await Relay.ConnectPublisherAsync(SecuredRelay.PublisherHello());
        await publisher.PublishAsync(Frames.Order("m-9", 1));
        await publisher.PublishAsync("""{"order_id":2}""");

        Assert.That(page.Welcome.GetProperty("merchants").ValueKind, Is.EqualTo(System.Text.Json.JsonValueKind.Null));
        Assert.That(await page.ReceiveOrderSeqsAsync(2), Is.EqualTo(new long[] { 1, 2 }));
    }

    [Test]
    public async Task TokenExpiringWhileConnected_ClosesTheConnectionWhenItExpires()
    {
        await using var page = await Relay.ConnectSubscriberAsync(SecuredRelay.Hello(SecuredRelay.Token(TimeSpan.FromSeconds(2), "m-1")));

        var error = await page.ReceiveAsync(TimeSpan.FromSeconds(15));

        Assert.That(error.Code(), Is.EqualTo("auth_failed"));
        Assert.That(error.GetProperty("message").GetString(), Does.Contain("expired"));
        Assert.That(await page.ReceiveCloseAsync(), Is.EqualTo(WebSocketCloseStatus.PolicyViolation));
    }

    [Test]
    public async Task HttpPublishWithoutOrWithWrongKey_401_WithKey_200()
    {
        using var missing = await PostAsync(key: null);
        using var wrong = await PostAsync(key: "pk-wrong-0123456789abcdef");
        using var right = await PostAsync(SecuredRelay.PublisherKey);

        Assert.That(missing.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
        Assert.That(await missing.Content.ReadAsStringAsync(), Does.Contain("auth_failed"));
        Assert.That(wrong.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
        Assert.That(right.StatusCode, Is.EqualTo(HttpStatusCode.OK));
    }

    [Test]
    public async Task GetMerchantWithoutKey_401_WithKey_200()
    {
        using var withoutKey = await Relay.Http.GetAsync("/merchants/m-1");
        using var request = new HttpRequestMessage(HttpMethod.Get, "/merchants/m-1");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", SecuredRelay.PublisherKey);
        using var withKey = await Relay.Http.SendAsync(request);

        Assert.That(withoutKey.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
        Assert.That(withKey.StatusCode, Is.EqualTo(HttpStatusCode.OK));
    }

    [Test]
    public async Task MetricsAndHealth_CarryNoOrderDataAndNoSecrets()
    {
        await PostAsync(SecuredRelay.PublisherKey);

        var metrics = await Relay.Http.GetStringAsync("/metrics");
        var health = await (await Relay.Http.GetAsync("/healthz")).Content.ReadAsStringAsync();

        foreach (var text in new[] { metrics, health })
        {
            Assert.That(text, Does.Not.Contain("secret-customer").And.Not.Contain(SecuredRelay.PublisherKey).And.Not.Contain(SecuredRelay.Secret));
        }
    }

    private async Task<HttpResponseMessage> PostAsync(string? key)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/publish")
        {
            Content = new StringContent("""{"order_id":1,"merchant_id":"m-1","customer_name":"secret-customer"}"""),
        };
        if (key is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        }

        return await Relay.Http.SendAsync(request);
    }
}
