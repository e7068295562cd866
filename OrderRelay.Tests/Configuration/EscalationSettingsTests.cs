using OrderRelay.Configuration;
using OrderRelay.Hosting;
using OrderRelay.Tests.Core.Escalation;
using OrderRelay.Tests.Support;

namespace OrderRelay.Tests.Configuration;

/// <summary><c>Relay:Escalation:*</c> checked at start with the bad setting named, and the secret never shown or logged.</summary>
[CancelAfter(60_000)]
public sealed class EscalationSettingsTests
{
    private const string GoodUrl = "Relay:Escalation:WebhookUrl=http://127.0.0.1:9/hook";
    private const string GoodSecret = "Relay:Escalation:Secret=" + EscalationTests.Secret;

    [TestCase("Relay:Escalation:After=-00:00:01", "", "", "Relay:Escalation:After")]
    [TestCase("Relay:Escalation:After=00:02:00", "", GoodSecret, "Relay:Escalation:WebhookUrl")]
    [TestCase("Relay:Escalation:After=00:02:00", "Relay:Escalation:WebhookUrl=ftp://orders.example/hook", GoodSecret, "Relay:Escalation:WebhookUrl")]
    [TestCase("Relay:Escalation:After=00:02:00", GoodUrl, "Relay:Escalation:Secret=short-secret", "Relay:Escalation:Secret")]
    [TestCase("Relay:Escalation:MaxPending=0", GoodUrl, GoodSecret, "Relay:Escalation:MaxPending")]
    public void BadEscalationSetting_StartRefusedNamingIt(string first, string second, string third, string named)
    {
        string[] settings = [.. new[] { first, second, third }.Where(setting => setting.Length > 0).Select(setting => "--" + setting)];
        if (!first.Contains("After", StringComparison.Ordinal))
        {
            settings = [.. settings, "--Relay:Escalation:After=00:02:00"];
        }

        var refusal = Assert.Throws<RelayStartupException>(() => RelayApplication.Build(settings));
        Assert.Multiple(() =>
        {
            Assert.That(refusal!.Message, Does.Contain(named));
            Assert.That(refusal.Message, Does.Not.Contain("short-secret").And.Not.Contain(EscalationTests.Secret));
        });
    }

    [Test]
    public void EscalationOff_NoWebhookNeeded() => Assert.DoesNotThrow(() => RelayApplication.Build(["--Relay:Store=memory"]));

    [Test]
    public async Task FailingWebhook_LoggedWithoutTheSecret()
    {
        using var directory = new TempDirectory();
        var logFile = directory.File("relay.log");
        await using var webhook = await WebhookReceiver.StartAsync(failFirst: 1);
        await using (var relay = await RelayServer.StartAsync([.. EscalationTests.Settings(webhook.Url), $"Relay:LogFile={logFile}", "Serilog:MinimumLevel:Default=Verbose"]))
        {
            await using var publisher = await relay.ConnectPublisherAsync();
            await publisher.PublishAsync(Frames.Order("m-1", 1));
            await webhook.NextCallAsync();
            await webhook.NextCallAsync();
        }

        var log = string.Concat(Directory.GetFiles(directory.Path).Select(File.ReadAllText));
        Assert.Multiple(() =>
        {
            Assert.That(log, Does.Contain("\"EventId\":{\"Id\":811"), "the refused call was logged");
            Assert.That(log, Does.Not.Contain(EscalationTests.Secret));
        });
    }
}
