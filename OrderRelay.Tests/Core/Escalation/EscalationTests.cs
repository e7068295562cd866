using System.Net;
using System.Text;
using System.Text.Json;
using OrderRelay.Tests.Support;

namespace OrderRelay.Tests.Core.Escalation;

/// <summary>Escalation to a real webhook on loopback, with a short <c>Relay:Escalation:After</c> (docs/receipts.md).</summary>
[CancelAfter(90_000)]
[TestFixture("memory")]
[TestFixture("sqlite")]
public sealed class EscalationTests(string store)
{
    public const string Secret = "escalation-secret-of-at-least-32-bytes";

    private WebhookReceiver _webhook = null!;
    private RelayServer? _relay;

    [TearDown]
    public async Task StopAll()
    {
        if (_relay is not null)
        {
            await _relay.DisposeAsync();
        }

        await _webhook.DisposeAsync();
    }

    /// <summary>Lets a relay's <see cref="RelayServer.Log"/> see each escalation it records (event 810, at Information).</summary>
    public const string LogEscalations = "Serilog:MinimumLevel:Override:OrderRelay.Core.Escalation=Information";

    public static string[] Settings(Uri webhook, string after = "00:00:01") =>
    [
        $"Relay:Escalation:After={after}",
        $"Relay:Escalation:WebhookUrl={webhook}",
        $"Relay:Escalation:Secret={Secret}",
    ];

    [Test]
    public async Task OrderNotAccepted_PostedSignedWithTheOrder_OnlyOnce_AcceptedOneNever()
    {
        await StartAsync(failFirst: 0);
        await using var page = await _relay!.ConnectSubscriberAsync("""{"type":"hello","role":"subscriber","merchants":["m-1"]}""");
        await using var publisher = await _relay.ConnectPublisherAsync();
        var accepted = (await publisher.PublishAsync(Frames.Order("m-1", 1), "ord-accepted")).Seq();
        var ignored = (await publisher.PublishAsync(Frames.Order("m-1", 2, "12.50"), "ord-ignored")).Seq();
        await page.SendAsync($$"""{"type":"accept","seq":{{accepted}}}""");
        await page.ReceiveOfTypeAsync("accepted");

        var call = await _webhook.NextCallAsync();
        var body = call.Json;
        var verifier = new WebhookVerifier(Secret, TimeSpan.FromMinutes(5));
        var status = await WaitForEscalatedAsync(ignored);
        var second = await _webhook.CallWithinAsync(TimeSpan.FromSeconds(3));

        Assert.Multiple(() =>
        {
            Assert.That(body.GetProperty("type").GetString(), Is.EqualTo("escalation"));
            Assert.That(body.Seq(), Is.EqualTo(ignored));
            Assert.That(body.GetProperty("id").GetString(), Is.EqualTo("ord-ignored"));
            Assert.That(body.GetProperty("merchant_id").GetString(), Is.EqualTo("m-1"));
            Assert.That(body.GetProperty("escalation_after_ms").GetInt64(), Is.EqualTo(1000));
            Assert.That(body.GetProperty("attempt").GetInt32(), Is.EqualTo(1));
            Assert.That(Encoding.UTF8.GetString(call.Body), Does.Contain(Frames.Order("m-1", 2, "12.50")), "the order verbatim");
            Assert.That(verifier.Accept(call.Headers.GetValueOrDefault("X-OrderRelay-Signature"), call.Headers.GetValueOrDefault("X-OrderRelay-Delivery"),
                call.Body, DateTimeOffset.UtcNow), Is.True, "the C# recipe accepts the relay's signature");
            Assert.That(call.Headers["X-OrderRelay-Delivery"], Is.EqualTo(body.GetProperty("delivery_id").GetString()));
            Assert.That(status.GetProperty("escalated_at").GetString(), Does.EndWith("Z"));
            Assert.That(second, Is.Null, "the accepted order is not escalated, the escalated one not again");
        });
    }

    [Test]
    public async Task WebhookFailsFirst_RetriedUntil2xx_SameDeliveryId()
    {
        await StartAsync(failFirst: 2);
        await using var publisher = await _relay!.ConnectPublisherAsync();
        var seq = (await publisher.PublishAsync(Frames.Order("m-1", 1), "ord-retried")).Seq();

        var calls = new[] { await _webhook.NextCallAsync(), await _webhook.NextCallAsync(), await _webhook.NextCallAsync() };
        var status = await WaitForEscalatedAsync(seq);

        Assert.Multiple(() =>
        {
            Assert.That(calls.Select(call => call.AnsweredStatus), Is.EqualTo(new[] { 503, 503, 200 }));
            Assert.That(calls.Select(call => call.Json.GetProperty("attempt").GetInt32()), Is.EqualTo(new[] { 1, 2, 3 }));
            Assert.That(calls.Select(call => call.Headers["X-OrderRelay-Delivery"]).Distinct().Count(), Is.EqualTo(1));
            Assert.That(status.GetProperty("escalated_at").GetString(), Does.EndWith("Z"));
        });
    }

    [Test]
    public async Task ForgedOrReplayedCall_RejectedByTheRecipe()
    {
        await StartAsync(failFirst: 0);
        await using var publisher = await _relay!.ConnectPublisherAsync();
        await publisher.PublishAsync(Frames.Order("m-1", 1), "ord-signed");
        var call = await _webhook.NextCallAsync();
        var signature = call.Headers["X-OrderRelay-Signature"];
        var delivery = call.Headers["X-OrderRelay-Delivery"];
        var forgedBody = Encoding.UTF8.GetBytes(Encoding.UTF8.GetString(call.Body).Replace("\"m-1\"", "\"m-666\"", StringComparison.Ordinal));
        var now = DateTimeOffset.UtcNow;

        Assert.Multiple(() =>
        {
            Assert.That(new WebhookVerifier(Secret, TimeSpan.FromMinutes(5)).Accept(signature, delivery, forgedBody, now), Is.False, "a changed body");
            Assert.That(new WebhookVerifier("another-secret-of-at-least-32-bytes!!", TimeSpan.FromMinutes(5)).Accept(signature, delivery, call.Body, now), Is.False,
                "signed with another secret");
            Assert.That(new WebhookVerifier(Secret, TimeSpan.FromMinutes(5)).Accept(signature, delivery, call.Body, now + TimeSpan.FromMinutes(10)), Is.False,
                "replayed after the tolerance");
            var receiver = new WebhookVerifier(Secret, TimeSpan.FromMinutes(5));
            Assert.That(receiver.Accept(signature, delivery, call.Body, now), Is.True);
            Assert.That(receiver.Accept(signature, delivery, call.Body, now), Is.False, "replayed within the tolerance: a delivery id seen before");
        });
    }

    [Test]
    public async Task Welcome_CarriesEscalationAfterMs_MetricCountsUnaccepted()
    {
        await StartAsync(failFirst: int.MaxValue, after: "00:00:30");
        await using var page = await _relay!.ConnectSubscriberAsync("""{"type":"hello","role":"subscriber","merchants":["m-1"]}""");
        await using var publisher = await _relay.ConnectPublisherAsync();
        await publisher.PublishAsync(Frames.Order("m-1", 1));
        // The escalation loop refreshes the figure every 5 s on the relay's own clock.
        var metrics = await Eventually.UntilAsync(() => _relay.Http.GetStringAsync("metrics"),
            text => text.Contains("orderrelay_unaccepted_orders{older_than=\"0s\"} 1", StringComparison.Ordinal), "the unaccepted order to be counted",
            interval: TimeSpan.FromMilliseconds(200));

        Assert.Multiple(() =>
        {
            Assert.That(page.Welcome.GetProperty("escalation_after_ms").GetInt64(), Is.EqualTo(30_000));
            Assert.That(metrics, Does.Contain("orderrelay_unaccepted_orders{older_than=\"1m\"} 0"));
        });
    }

    private async Task StartAsync(int failFirst, string after = "00:00:01")
    {
        _webhook = await WebhookReceiver.StartAsync(failFirst);
        _relay = await RelayServer.StartAsync([$"Relay:Store={store}", LogEscalations, .. Settings(_webhook.Url, after)]);
    }

    /// <summary>
    /// The order's status once <paramref name="relay"/> (started with <see cref="LogEscalations"/>) has recorded its escalation:
    /// it does so after the webhook's answer and tells no client, but logs it once recorded.
    /// </summary>
    internal static async Task<JsonElement> EscalatedAsync(RelayServer relay, long seq)
    {
        await relay.Log.LoggedAsync(810, message => message.StartsWith($"Order {seq} ", StringComparison.Ordinal)).WaitAsync(TimeSpan.FromSeconds(20));
        var response = await relay.Http.GetAsync($"orders/seq/{seq}");
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        var order = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone();
        Assert.That(order.GetProperty("escalated_at").ValueKind, Is.EqualTo(JsonValueKind.String), order.ToString());
        return order;
    }

    private Task<JsonElement> WaitForEscalatedAsync(long seq) => EscalatedAsync(_relay!, seq);
}
