using System.Net.WebSockets;
using OrderRelay.Security;
using OrderRelay.Tests.Support;

namespace OrderRelay.Tests.Security;

[CancelAfter(30_000)]
public sealed class TokenCommandTests
{
    [Test]
    public async Task MintedToken_AdmitsExactlyItsMerchant()
    {
        using var output = new StringWriter();
        var exitCode = TokenCommand.Run(["--merchant", "m-1001", "--ttl", "12h", $"--Relay:Auth:SubscriberSecret={SecuredRelay.Secret}"], output, TextWriter.Null);
        var token = output.ToString().Trim();
        await using var relay = await RelayServer.StartAsync(SecuredRelay.Settings);

        await using var admitted = await relay.ConnectSubscriberAsync(SecuredRelay.Hello(token));
        await using var refused = await relay.ConnectAsync();
        await refused.SendAsync(SecuredRelay.Hello(token, """["m-2"]"""));

        Assert.That(exitCode, Is.Zero);
        Assert.That(admitted.Welcome.GetProperty("merchants")[0].GetString(), Is.EqualTo("m-1001"));
        await refused.ExpectErrorThenCloseAsync("auth_failed", WebSocketCloseStatus.PolicyViolation);
    }

    [TestCase("--merchant m-1", TestName = "NoSecretConfigured_Exit2")]
    [TestCase("--ttl 12h --Relay:Auth:SubscriberSecret=subscriber-secret-of-at-least-32-bytes!", TestName = "NoMerchant_Exit2")]
    [TestCase("--merchant m-1 --ttl soon --Relay:Auth:SubscriberSecret=subscriber-secret-of-at-least-32-bytes!", TestName = "BadTtl_Exit2")]
    public void BadArguments_ExitCode2WithUsage(string args)
    {
        using var error = new StringWriter();

        Assert.That(TokenCommand.Run(args.Split(' '), TextWriter.Null, error), Is.EqualTo(2));
        Assert.That(error.ToString(), Is.Not.Empty);
    }
}
