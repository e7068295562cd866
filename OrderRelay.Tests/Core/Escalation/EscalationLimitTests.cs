using OrderRelay.Tests.Support;

namespace OrderRelay.Tests.Core.Escalation;

/// <summary>The pending limit: past <c>Relay:Escalation:MaxPending</c> an order is still delivered but owed no escalation, and that is counted.</summary>
[CancelAfter(60_000)]
public sealed class EscalationLimitTests
{
    [Test]
    public async Task PastMaxPending_OrderDeliveredWithoutEscalation_Counted()
    {
        await using var webhook = await WebhookReceiver.StartAsync();
        await using var relay = await RelayServer.StartAsync([.. EscalationTests.Settings(webhook.Url, after: "00:00:02"), "Relay:Escalation:MaxPending=1"]);
        await using var page = await relay.ConnectSubscriberAsync();
        await using var publisher = await relay.ConnectPublisherAsync();
        var owed = (await publisher.PublishAsync(Frames.Order("m-1", 1))).Seq();
        await publisher.PublishAsync(Frames.Order("m-1", 2));
        var delivered = await page.ReceiveOrderSeqsAsync(2);

        var call = await webhook.NextCallAsync();
        var second = await webhook.CallWithinAsync(TimeSpan.FromSeconds(4));
        var metrics = await relay.Http.GetStringAsync("metrics");

        Assert.Multiple(() =>
        {
            Assert.That(delivered, Has.Length.EqualTo(2), "both orders delivered");
            Assert.That(call.Json.Seq(), Is.EqualTo(owed));
            Assert.That(second, Is.Null, "the order past the limit is owed nothing");
            Assert.That(metrics, Does.Contain("orderrelay_escalations_total{outcome=\"refused\"} 1"));
            Assert.That(metrics, Does.Contain("orderrelay_escalations_total{outcome=\"sent\"} 1"));
        });
    }

    [TestCase(1, 1)]
    [TestCase(2, 2)]
    [TestCase(4, 8)]
    [TestCase(20, 300)]
    public async Task RetryDelay_DoublesFromOneSecondUpToTheMaximum(int attempt, int seconds)
    {
        await using var relay = await RelayServer.StartAsync();
        var service = (OrderRelay.Core.Escalation.EscalationService)relay.Services.GetService(typeof(OrderRelay.Core.Escalation.EscalationService))!;
        Assert.That(service.RetryDelay(attempt), Is.EqualTo(TimeSpan.FromSeconds(seconds)));
    }
}
