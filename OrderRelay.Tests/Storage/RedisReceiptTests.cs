using System.Net;
using System.Text.Json;
using OrderRelay.Tests.Core.Escalation;
using OrderRelay.Tests.Support;

namespace OrderRelay.Tests.Storage;

/// <summary>Issue 15 across relay nodes on one real redis-server: receipts, accepts and escalations cross nodes; one node sends each escalation.</summary>
[CancelAfter(120_000)]
public sealed class RedisReceiptTests : RedisNodesTests
{
    [Test]
    public async Task ConfirmedAndAcceptedOnOneNode_ReceiptReachesThePublisherOnAnother_AcceptedReachesPagesOnEvery()
    {
        await using var a = await Cluster.StartNodeAsync();
        await using var b = await Cluster.StartNodeAsync();
        await using var publisher = await b.ConnectAsync();
        await publisher.HelloAsync("""{"type":"hello","role":"publisher","receipts":true}""");
        await using var pageOnA = await a.ConnectSubscriberAsync("""{"type":"hello","role":"subscriber","merchants":["m-1"]}""");
        await using var pageOnB = await b.ConnectSubscriberAsync("""{"type":"hello","role":"subscriber","merchants":["m-1"]}""");
        var seq = (await publisher.PublishAsync(Frames.Order("m-1", 1), "ord-1")).Seq();
        await pageOnA.ReceiveOfTypeAsync("order");
        await pageOnB.ReceiveOfTypeAsync("order");

        await pageOnA.SendAsync($$"""{"type":"ack","seq":{{seq}}}""");
        var confirmed = await publisher.ReceiveOfTypeAsync("receipt");
        await pageOnA.SendAsync($$"""{"type":"accept","seq":{{seq}}}""");
        var accepted = await publisher.ReceiveOfTypeAsync("receipt");
        var toldOnB = await pageOnB.ReceiveOfTypeAsync("accepted");
        var status = JsonDocument.Parse(await b.Http.GetStringAsync($"orders/ord-1")).RootElement;

        Assert.Multiple(() =>
        {
            Assert.That(confirmed.Seq(), Is.EqualTo(seq));
            Assert.That(confirmed.GetProperty("id").GetString(), Is.EqualTo("ord-1"));
            Assert.That(confirmed.GetProperty("confirmed_at").GetString(), Does.EndWith("Z"));
            Assert.That(accepted.GetProperty("merchant_accepted_at").GetString(), Does.EndWith("Z"));
            Assert.That(toldOnB.Seq(), Is.EqualTo(seq), "a page on the other node is told of the accept");
            Assert.That(status.GetProperty("merchant_accepted_at").GetString(), Is.EqualTo(accepted.GetProperty("merchant_accepted_at").GetString()));
            Assert.That(status.GetProperty("confirmed_at").GetString(), Is.EqualTo(confirmed.GetProperty("confirmed_at").GetString()));
        });
    }

    [Test]
    public async Task PublisherReconnectsToAnotherNode_ResumesReceiptsWithoutLoss()
    {
        await using var a = await Cluster.StartNodeAsync();
        await using var b = await Cluster.StartNodeAsync();
        await using var page = await a.ConnectSubscriberAsync("""{"type":"hello","role":"subscriber","merchants":["m-1"]}""");
        long cursor;
        long first, second;
        await using (var publisher = await a.ConnectAsync())
        {
            await publisher.HelloAsync("""{"type":"hello","role":"publisher","receipts":true}""");
            first = (await publisher.PublishAsync(Frames.Order("m-1", 1), "ord-1")).Seq();
            second = (await publisher.PublishAsync(Frames.Order("m-1", 2), "ord-2")).Seq();
            // A node takes an ack only for a seq its feed has fanned out; the page has it once it received it.
            await page.ReceiveOrderSeqsAsync(2);
            await page.SendAsync($$"""{"type":"ack","seq":{{first}}}""");
            cursor = (await publisher.ReceiveOfTypeAsync("receipt")).GetProperty("cursor").GetInt64();
        }

        await page.SendAsync($$"""{"type":"ack","seq":{{second}}}""");
        await page.SendAsync($$"""{"type":"accept","seq":{{first}}}""");
        await page.ReceiveOfTypeAsync("accepted");
        await using var resumed = await b.ConnectAsync();
        await resumed.HelloAsync($$"""{"type":"hello","role":"publisher","receipts":true,"receipts_after":{{cursor}}}""");
        var receipts = new[] { await resumed.ReceiveOfTypeAsync("receipt"), await resumed.ReceiveOfTypeAsync("receipt") };

        Assert.That(receipts.Select(receipt => (receipt.Seq(), receipt.TryGetProperty("confirmed_at", out _))),
            Is.EqualTo(new[] { (second, true), (first, false) }));
    }

    [Test]
    public async Task TwoNodes_OneEscalationPerOrder_StatusSeenOnBoth()
    {
        await using var webhook = await WebhookReceiver.StartAsync();
        var settings = EscalationTests.Settings(webhook.Url);
        await using var a = await Cluster.StartNodeAsync(settings);
        await using var b = await Cluster.StartNodeAsync(settings);
        await using var publisher = await a.ConnectPublisherAsync();
        var seqs = new List<long>();
        for (var i = 1; i <= 5; i++)
        {
            seqs.Add((await publisher.PublishAsync(Frames.Order("m-1", i), $"ord-{i}")).Seq());
        }

        var calls = new List<long>();
        for (var i = 0; i < seqs.Count; i++)
        {
            calls.Add((await webhook.NextCallAsync()).Json.Seq());
        }

        var extra = await webhook.CallWithinAsync(TimeSpan.FromSeconds(3));
        var response = await b.Http.GetAsync($"orders/seq/{seqs[0]}");
        var status = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;

        Assert.Multiple(() =>
        {
            Assert.That(calls, Is.EquivalentTo(seqs), "each order escalated once, by one node");
            Assert.That(extra, Is.Null);
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(status.GetProperty("escalated_at").GetString(), Does.EndWith("Z"));
        });
    }

    [Test]
    public async Task NodeKilledDuringTheWebhookCall_AnotherNodeSendsItWhenTheLeaseEnds()
    {
        await using var webhook = await WebhookReceiver.StartAsync(holdFirst: true);
        string[] settings = [.. Cluster.NodeSettings, .. EscalationTests.Settings(webhook.Url), "Relay:Escalation:RequestTimeout=00:00:01"];
        long seq;
        await using (var doomed = await RelayProcess.StartAsync(settings))
        {
            await using var publisher = await WsClient.ConnectAndHelloAsync(doomed.WebSocketUri, WsClient.PublisherHello);
            seq = (await publisher.PublishAsync(Frames.Order("m-1", 1), "ord-lease")).Seq();
            Assert.That((await webhook.NextCallAsync()).Json.Seq(), Is.EqualTo(seq), "the first node claimed it and is calling");
            await doomed.KillAsync();
        }

        await using var survivor = await RelayServer.StartAsync([.. settings, EscalationTests.LogEscalations]);
        var retried = await webhook.NextCallAsync();
        await EscalationTests.EscalatedAsync(survivor, seq);

        Assert.Multiple(() =>
        {
            Assert.That(retried.Json.Seq(), Is.EqualTo(seq));
            Assert.That(retried.Json.GetProperty("attempt").GetInt32(), Is.EqualTo(2), "claimed again once the dead node's lease ended");
            Assert.That(retried.AnsweredStatus, Is.EqualTo(200));
        });
    }
}
