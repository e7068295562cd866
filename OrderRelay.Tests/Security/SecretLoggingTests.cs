using System.Net.Http.Headers;
using OrderRelay.Tests.Support;

namespace OrderRelay.Tests.Security;

[CancelAfter(30_000)]
public sealed class SecretLoggingTests
{
    [Test]
    public async Task KeysTokensAndSecrets_NeverReachTheLog()
    {
        var directory = Directory.CreateTempSubdirectory("orderrelay-log-");
        var logFile = Path.Combine(directory.FullName, "relay.log");
        var token = SecuredRelay.Token("m-1");
        await using (var relay = await RelayServer.StartAsync([.. SecuredRelay.Settings, $"Relay:LogFile={logFile}", "Serilog:MinimumLevel:Default=Verbose"]))
        {
            await using (await relay.ConnectSubscriberAsync(SecuredRelay.Hello(token)))
            await using (var wrong = await relay.ConnectAsync())
            {
                await wrong.SendAsync("""{"type":"hello","role":"publisher","token":"pk-wrong-but-secret-looking"}""");
                await wrong.ReceiveCloseAsync();
            }

            using var request = new HttpRequestMessage(HttpMethod.Post, "/publish") { Content = new StringContent("""{"order_id":1}""") };
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", SecuredRelay.PublisherKey);
            using var response = await relay.Http.SendAsync(request);
        }

        var log = string.Concat(directory.GetFiles().Select(file => File.ReadAllText(file.FullName)));
        directory.Delete(recursive: true);
        Assert.That(log, Does.Contain("\"Role\":\"subscriber\""), "the hello was logged");
        Assert.That(log, Does.Not.Contain(SecuredRelay.PublisherKey).And.Not.Contain(SecuredRelay.Secret)
            .And.Not.Contain(token).And.Not.Contain("pk-wrong-but-secret-looking"));
    }
}
