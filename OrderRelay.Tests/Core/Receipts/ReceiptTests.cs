using OrderRelay.Tests.Security;
using OrderRelay.Tests.Support;

namespace OrderRelay.Tests.Core.Receipts;

/// <summary>Receipts to the publisher of an order (docs/receipts.md): on confirmation and on accept, resumed by cursor without loss.</summary>
[CancelAfter(60_000)]
[TestFixture("memory")]
[TestFixture("sqlite")]
public sealed class ReceiptTests(string store) : ReceiptRelayTests(store, $"Relay:Auth:PublisherKeys:1={OtherKey}")
{
    private const string OtherKey = "pk-other-0123456789abcdef";

    [Test]
    public async Task ConfirmedAndAccepted_ReceiptsToItsPublisherOnly()
    {
        await using var page = await ConnectPageAsync("m-1");
        await using var publisher = await ConnectPublisherAsync(extraJson: ""","receipts":true""");
        await using var other = await ConnectPublisherAsync(OtherKey, ""","receipts":true""");
        var seq = (await publisher.PublishAsync(Frames.Order("m-1", 1), "ord-1")).Seq();
        var otherSeq = (await other.PublishAsync(Frames.Order("m-1", 2), "ord-2")).Seq();
        await page.ReceiveOfTypeAsync("order");
        await page.ReceiveOfTypeAsync("order");

        await page.SendAsync($$"""{"type":"ack","seq":{{seq}}}""");
        var confirmed = await publisher.ReceiveOfTypeAsync("receipt");
        await page.SendAsync($$"""{"type":"accept","seq":{{seq}}}""");
        var accepted = await publisher.ReceiveOfTypeAsync("receipt");
        await page.SendAsync($$"""{"type":"ack","seq":{{otherSeq}}}""");
        var othersReceipt = await other.ReceiveOfTypeAsync("receipt");

        Assert.Multiple(() =>
        {
            Assert.That(publisher.Welcome.GetProperty("receipts_cursor").GetInt64(), Is.EqualTo(0));
            Assert.That(confirmed.Seq(), Is.EqualTo(seq));
            Assert.That(confirmed.GetProperty("id").GetString(), Is.EqualTo("ord-1"));
            Assert.That(confirmed.GetProperty("merchant_id").GetString(), Is.EqualTo("m-1"));
            Assert.That(confirmed.GetProperty("confirmed_at").GetString(), Does.EndWith("Z"));
            Assert.That(confirmed.TryGetProperty("merchant_accepted_at", out _), Is.False);
            Assert.That(accepted.Seq(), Is.EqualTo(seq));
            Assert.That(accepted.GetProperty("merchant_accepted_at").GetString(), Does.EndWith("Z"));
            Assert.That(accepted.GetProperty("cursor").GetInt64(), Is.GreaterThan(confirmed.GetProperty("cursor").GetInt64()));
            Assert.That(othersReceipt.Seq(), Is.EqualTo(otherSeq), "the other publisher gets its own order's receipt, not the first one's");
        });
    }

    [Test]
    public async Task PublisherAway_ResumesWithCursor_NoReceiptLostOrRepeated()
    {
        await using var page = await ConnectPageAsync("m-1");
        long cursor;
        var seqs = new List<long>();
        await using (var publisher = await ConnectPublisherAsync(extraJson: ""","receipts":true"""))
        {
            for (var i = 1; i <= 3; i++)
            {
                seqs.Add((await publisher.PublishAsync(Frames.Order("m-1", i), $"ord-{i}")).Seq());
            }

            await page.SendAsync($$"""{"type":"ack","seq":{{seqs[0]}}}""");
            cursor = (await publisher.ReceiveOfTypeAsync("receipt")).GetProperty("cursor").GetInt64();
        }

        // While the publisher is away: the rest are confirmed, two accepted.
        await page.SendAsync($$"""{"type":"ack","seq":{{seqs[2]}}}""");
        await page.SendAsync($$"""{"type":"accept","seq":{{seqs[0]}}}""");
        await page.ReceiveOfTypeAsync("accepted");
        await page.SendAsync($$"""{"type":"accept","seq":{{seqs[2]}}}""");
        await page.ReceiveOfTypeAsync("accepted");

        await using var resumed = await ConnectPublisherAsync(extraJson: $$""","receipts":true,"receipts_after":{{cursor}}""");
        var receipts = new List<(long Seq, string Kind, long Cursor)>();
        while (receipts.Count < 4)
        {
            var receipt = await resumed.ReceiveOfTypeAsync("receipt");
            receipts.Add((receipt.Seq(), receipt.TryGetProperty("confirmed_at", out _) ? "confirmed" : "accepted", receipt.GetProperty("cursor").GetInt64()));
        }

        Assert.Multiple(() =>
        {
            Assert.That(resumed.Welcome.GetProperty("receipts_recovered").GetBoolean(), Is.True);
            Assert.That(receipts.Select(receipt => (receipt.Seq, receipt.Kind)), Is.EquivalentTo(new[]
            {
                (seqs[1], "confirmed"), (seqs[2], "confirmed"), (seqs[0], "accepted"), (seqs[2], "accepted"),
            }));
            Assert.That(receipts.Select(receipt => receipt.Cursor), Is.Ordered.Ascending.And.Unique);
            Assert.That(receipts.Min(receipt => receipt.Cursor), Is.GreaterThan(cursor));
        });
    }

    [Test]
    public async Task HttpPublishWithTheSameKey_ReceiptToTheSocketPublisher()
    {
        await using var page = await ConnectPageAsync("m-1");
        await using var publisher = await ConnectPublisherAsync(extraJson: ""","receipts":true""");
        using var request = new HttpRequestMessage(HttpMethod.Post, "publish") { Content = new StringContent(Frames.Order("m-1", 7)) };
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", SecuredRelay.PublisherKey);
        request.Headers.Add("Idempotency-Key", "ord-http");
        (await Relay.Http.SendAsync(request)).EnsureSuccessStatusCode();
        var seq = (await page.ReceiveOfTypeAsync("order")).Seq();

        await page.SendAsync($$"""{"type":"ack","seq":{{seq}}}""");
        var receipt = await publisher.ReceiveOfTypeAsync("receipt");

        Assert.That(receipt.GetProperty("id").GetString(), Is.EqualTo("ord-http"));
    }
}
