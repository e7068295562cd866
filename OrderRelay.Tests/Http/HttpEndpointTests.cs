using System.Net;
using System.Text;
using System.Text.Json;
using OrderRelay.Tests.Support;

namespace OrderRelay.Tests.Http;

[CancelAfter(30_000)]
public sealed class HttpEndpointTests() : RelayServerTests("Relay:MaxMessageBytes=2048")
{
    [Test]
    public async Task PostPublish_AnswersSeqAndDeliversTheBodyVerbatim()
    {
        const string order = """{"order_id":123456,"merchant_id":"m-1001","customer_name":"张三","order_amount":100.00}""";
        await using var subscriber = await Relay.ConnectSubscriberAsync("""{"type":"hello","role":"subscriber","merchants":["m-1001"]}""");

        var (status, body) = await PostAsync(order, idempotencyKey: "ord-123456");
        var delivery = await subscriber.ReceiveTextAsync();

        Assert.That(status, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(body.Seq(), Is.EqualTo(1));
        Assert.That(body.GetProperty("duplicate").GetBoolean(), Is.False);
        Assert.That(delivery, Does.EndWith("\"order\":" + order + "}"));
    }

    [Test]
    public async Task PostPublish_AckIsJsonWithExactlySeqAndDuplicate()
    {
        using var response = await Relay.Http.PostAsync("/publish", new StringContent("""{"order_id":7}""", Encoding.UTF8, "application/json"));

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(response.Content.Headers.ContentType!.ToString(), Is.EqualTo("application/json; charset=utf-8"));
        Assert.That(await response.Content.ReadAsStringAsync(), Is.EqualTo("""{"seq":1,"duplicate":false}"""));
    }

    [Test]
    public async Task PostPublishOfABodyInManyPieces_DeliversItVerbatim()
    {
        // 40 KB arrives in several of Kestrel's 4 KB buffers: the body is then parsed from a copy,
        // where one in a single buffer is parsed in place.
        await using var relay = await RelayServer.StartAsync("Relay:MaxMessageBytes=65536");
        var order = $$"""{"order_id":"big-1","merchant_id":"m-9","note":"{{string.Concat(Enumerable.Repeat("订单-0123456789", 3_000))}}"}""";
        await using var subscriber = await relay.ConnectSubscriberAsync("""{"type":"hello","role":"subscriber","merchants":["m-9"]}""");

        using var response = await relay.Http.PostAsync("/publish", new StringContent(order, Encoding.UTF8, "application/json"));
        var delivery = await subscriber.ReceiveTextAsync();

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(delivery, Does.StartWith("""{"type":"order","seq":1,"merchant_id":"m-9","""));
        Assert.That(delivery, Does.EndWith("\"order\":" + order + "}"));
    }

    [Test]
    public async Task PostPublishWithSameIdempotencyKey_DuplicateWithOriginalSeq()
    {
        var (_, first) = await PostAsync("""{"order_id":1}""", idempotencyKey: "k-1");
        var (status, again) = await PostAsync("""{"order_id":1}""", idempotencyKey: "k-1");

        Assert.That(status, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(again.Seq(), Is.EqualTo(first.Seq()));
        Assert.That(again.GetProperty("duplicate").GetBoolean(), Is.True);
    }

    [TestCase("""{"order_id":1""", "bad_json", TestName = "PostPublishTruncatedJson_400BadJson")]
    [TestCase("", "bad_json", TestName = "PostPublishEmptyBody_400BadJson")]
    [TestCase("""[1,2]""", "bad_frame", TestName = "PostPublishArray_400BadFrame")]
    [TestCase("""{"merchant_id":false}""", "bad_frame", TestName = "PostPublishBadMerchantId_400BadFrame")]
    public async Task PostPublishBadBody_400ProblemWithCode(string body, string code)
    {
        var (status, problem) = await PostAsync(body);

        Assert.That(status, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That(problem.GetProperty("code").GetString(), Is.EqualTo(code));
        Assert.That(problem.GetProperty("status").GetInt32(), Is.EqualTo(400));
        Assert.That(problem.GetProperty("detail").GetString(), Is.Not.Empty);
    }

    [Test]
    public async Task PostPublishInvalidUtf8_400BadJson()
    {
        using var content = new ByteArrayContent([(byte)'{', (byte)'"', 0xC3, 0x28, (byte)'"', (byte)':', (byte)'1', (byte)'}']);

        using var response = await Relay.Http.PostAsync("/publish", content);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
    }

    [Test]
    public async Task PostPublishOverLimit_413TooLarge()
    {
        var (status, problem) = await PostAsync($$"""{"note":"{{new string('x', 3000)}}"}""");

        Assert.That(status, Is.EqualTo(HttpStatusCode.RequestEntityTooLarge));
        Assert.That(problem.GetProperty("code").GetString(), Is.EqualTo("too_large"));
    }

    [Test]
    public async Task PostPublishChunkedOverLimit_413TooLarge()
    {
        var bytes = Encoding.UTF8.GetBytes($$"""{"note":"{{new string('x', 3000)}}"}""");
        using var content = new StreamContent(new MemoryStream(bytes));
        content.Headers.ContentLength = null;

        using var response = await Relay.Http.PostAsync("/publish", content);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.RequestEntityTooLarge));
    }

    [Test]
    public async Task RefusedHttpPublish_TakesNoSeq()
    {
        await PostAsync("""{"order_id":""");
        var (_, accepted) = await PostAsync("""{"order_id":2}""");

        Assert.That(accepted.Seq(), Is.EqualTo(1));
    }

    [Test]
    public async Task Metrics_SendBurst_CountsEveryDelivery()
    {
        const int Orders = 40;
        await using var subscriber = await Relay.ConnectSubscriberAsync();
        await using var publisher = await Relay.ConnectPublisherAsync();
        // Sent without waiting for acks, so the subscriber's send loop finds several queued at once.
        for (var i = 1; i <= Orders; i++)
        {
            await publisher.SendPublishAsync(Frames.Order("m-1", i));
        }

        await subscriber.ReceiveOrderSeqsAsync(Orders);

        // The send loop records a burst once its queue is empty, which may be just after the client has the frames.
        var text = await Eventually.UntilAsync(() => Relay.Http.GetStringAsync("/metrics"),
            metrics => metrics.Contains($"orderrelay_deliveries_total {Orders}\n", StringComparison.Ordinal), "every delivery to be counted");

        Assert.That(text, Does.Contain($"orderrelay_deliveries_total {Orders}\n"));
        Assert.That(text, Does.Contain($"orderrelay_publish_to_send_seconds_count {Orders}\n"));
    }

    [Test]
    public async Task Healthz_200WhileAccepting()
    {
        using var response = await Relay.Http.GetAsync("/healthz");
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(body.RootElement.GetProperty("status").GetString(), Is.EqualTo("ok"));
    }

    [Test]
    public async Task Metrics_PrometheusTextWithTheProtocolsMetrics()
    {
        await using var subscriber = await Relay.ConnectSubscriberAsync();
        await using var publisher = await Relay.ConnectPublisherAsync();
        await publisher.PublishAsync(Frames.Order("m-1", 1));
        await subscriber.ReceiveAsync();
        await publisher.SendAsync("""{"type":"nope"}""");
        await publisher.ReceiveAsync();

        using var response = await Relay.Http.GetAsync("/metrics");
        var text = await response.Content.ReadAsStringAsync();

        Assert.That(response.Content.Headers.ContentType!.MediaType, Is.EqualTo("text/plain"));
        Assert.That(text, Does.Contain("orderrelay_connections{role=\"subscriber\"} 1"));
        Assert.That(text, Does.Contain("orderrelay_connections{role=\"publisher\"} 1"));
        Assert.That(text, Does.Contain("orderrelay_orders_accepted_total 1"));
        Assert.That(text, Does.Contain("orderrelay_deliveries_total 1"));
        Assert.That(text, Does.Contain("orderrelay_replayed_orders_total 0"));
        Assert.That(text, Does.Contain("orderrelay_slow_consumers_dropped_total 0"));
        Assert.That(text, Does.Contain("orderrelay_errors_total{code=\"unknown_type\"} 1"));
        Assert.That(text, Does.Contain("orderrelay_publish_to_send_seconds_count 1"));
    }

    [Test]
    public async Task MerchantIdTooLong_400()
    {
        using var response = await Relay.Http.GetAsync($"/merchants/{new string('m', 300)}");

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
    }

    private async Task<(HttpStatusCode Status, JsonElement Body)> PostAsync(string body, string? idempotencyKey = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/publish") { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        if (idempotencyKey is not null)
        {
            request.Headers.Add("Idempotency-Key", idempotencyKey);
        }

        using var response = await Relay.Http.SendAsync(request);
        using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return (response.StatusCode, document.RootElement.Clone());
    }
}
