using OrderRelay.Tests.Core.Escalation;
using OrderRelay.Tests.Support;

namespace OrderRelay.Tests.Storage;

/// <summary>An escalation obligation lives in the journal: a relay killed with SIGKILL before it was due still escalates after a restart.</summary>
[CancelAfter(120_000)]
public sealed class EscalationCrashTests
{
    [TestCase("sqlite")]
    [TestCase("redis")]
    public async Task KilledBeforeTheOrderWasDue_EscalatedAfterRestart(string store)
    {
        using var directory = new TempDirectory();
        await using var webhook = await WebhookReceiver.StartAsync();
        await using var redis = store == "redis" ? await RedisNodes.StartAsync() : null;
        string[] storeSettings = redis?.NodeSettings ?? ["Relay:Store=sqlite", "Relay:Sqlite:Path=" + directory.File("journal.db")];
        string[] settings = [.. storeSettings, "Serilog:MinimumLevel:Default=Warning", .. EscalationTests.Settings(webhook.Url, after: "00:00:03")];
        long seq;
        await using (var relay = await RelayProcess.StartInAsync(directory.Path, settings))
        {
            await using var publisher = await WsClient.ConnectAndHelloAsync(relay.WebSocketUri, WsClient.PublisherHello);
            // The ack means the order, and its obligation, are committed.
            seq = (await publisher.PublishAsync(Frames.Order("m-1", 1), "ord-crash")).Seq();
            await relay.KillAsync();
        }

        var beforeRestart = await webhook.CallWithinAsync(TimeSpan.FromSeconds(4));
        await using var restarted = await RelayProcess.StartInAsync(directory.Path, settings);
        var call = await webhook.NextCallAsync();

        Assert.Multiple(() =>
        {
            Assert.That(beforeRestart, Is.Null, "the killed relay sent nothing");
            Assert.That(call.Json.Seq(), Is.EqualTo(seq));
            Assert.That(call.Json.GetProperty("id").GetString(), Is.EqualTo("ord-crash"));
        });
    }
}
