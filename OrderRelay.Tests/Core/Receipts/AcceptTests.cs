using System.Net;
using System.Text.Json;
using OrderRelay.Tests.Security;
using OrderRelay.Tests.Support;

namespace OrderRelay.Tests.Core.Receipts;

/// <summary>A person's accept (docs/receipts.md): recorded once, told to every page of the merchant, refused for another merchant's order.</summary>
[CancelAfter(60_000)]
[TestFixture("memory")]
[TestFixture("sqlite")]
public sealed class AcceptTests(string store) : ReceiptRelayTests(store)
{
    [SetUp]
    public void AuthorizeHttp() => Relay.Http.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", SecuredRelay.PublisherKey);

    [Test]
    public async Task Accept_EveryPageOfTheMerchantToldOnce_SecondAcceptRepeatsTheFirstTime()
    {
        await using var page = await ConnectPageAsync("m-1");
        await using var otherPage = await ConnectPageAsync("m-1");
        await using var publisher = await ConnectPublisherAsync();
        var seq = (await publisher.PublishAsync(Frames.Order("m-1", 1), "ord-1")).Seq();
        await page.ReceiveOfTypeAsync("order");
        await otherPage.ReceiveOfTypeAsync("order");

        await page.SendAsync($$"""{"type":"accept","seq":{{seq}}}""");
        var told = await page.ReceiveOfTypeAsync("accepted");
        var toldOther = await otherPage.ReceiveOfTypeAsync("accepted");
        await otherPage.SendAsync($$"""{"type":"accept","seq":{{seq}}}""");
        var repeated = await otherPage.ReceiveOfTypeAsync("accepted");

        Assert.Multiple(() =>
        {
            Assert.That(told.Seq(), Is.EqualTo(seq));
            Assert.That(told.GetProperty("merchant_id").GetString(), Is.EqualTo("m-1"));
            Assert.That(told.GetProperty("at").GetString(), Does.Match(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$"));
            Assert.That(toldOther.ToString(), Is.EqualTo(told.ToString()));
            Assert.That(repeated.GetProperty("at").GetString(), Is.EqualTo(told.GetProperty("at").GetString()), "the second accept repeats the first time");
        });
    }

    [Test]
    public async Task AcceptOfAnotherMerchantsOrder_RefusedNotYours_NothingRecorded()
    {
        await using var page = await ConnectPageAsync("m-1");
        await using var publisher = await ConnectPublisherAsync();
        var seq = (await publisher.PublishAsync(Frames.Order("m-2", 1), "ord-other")).Seq();

        await page.SendAsync($$"""{"type":"accept","seq":{{seq}}}""");
        var refused = await page.ReceiveOfTypeAsync("error");
        await page.SendAsync("""{"type":"accept","seq":999}""");
        var unknown = await page.ReceiveOfTypeAsync("error");
        await page.SendAsync("""{"type":"ping"}""");
        await page.ReceiveOfTypeAsync("pong");
        var status = await GetOrderAsync("ord-other");

        Assert.Multiple(() =>
        {
            Assert.That(refused.Code(), Is.EqualTo("not_yours"));
            Assert.That(unknown.Code(), Is.EqualTo("unknown_seq"));
            Assert.That(page.Socket.State, Is.EqualTo(System.Net.WebSockets.WebSocketState.Open), "the connection stays open");
            Assert.That(status.GetProperty("merchant_accepted_at").ValueKind, Is.EqualTo(JsonValueKind.Null));
        });
    }

    [Test]
    public async Task AcceptFromPublisher_NotAllowed()
    {
        await using var publisher = await ConnectPublisherAsync();
        var seq = (await publisher.PublishAsync(Frames.Order("m-1", 1))).Seq();
        await publisher.SendAsync($$"""{"type":"accept","seq":{{seq}}}""");
        Assert.That((await publisher.ReceiveOfTypeAsync("error")).Code(), Is.EqualTo("not_allowed"));
    }

    [Test]
    public async Task OrderStatus_ByKeyAndBySeq_ShowsWhatBecameOfIt()
    {
        await using var page = await ConnectPageAsync("m-1");
        await using var publisher = await ConnectPublisherAsync();
        var seq = (await publisher.PublishAsync(Frames.Order("m-1", 1), "ord-42")).Seq();
        await page.ReceiveOfTypeAsync("order");
        var before = await GetOrderAsync("ord-42");

        await page.SendAsync($$"""{"type":"ack","seq":{{seq}}}""");
        await page.SendAsync($$"""{"type":"accept","seq":{{seq}}}""");
        await page.ReceiveOfTypeAsync("accepted");
        var after = await WaitForAsync($"orders/seq/{seq}", order => order.GetProperty("confirmed_at").ValueKind == JsonValueKind.String);

        Assert.Multiple(() =>
        {
            Assert.That(before.Seq(), Is.EqualTo(seq));
            Assert.That(before.GetProperty("id").GetString(), Is.EqualTo("ord-42"));
            Assert.That(before.GetProperty("merchant_id").GetString(), Is.EqualTo("m-1"));
            Assert.That(before.GetProperty("online_at_acceptance").GetInt32(), Is.EqualTo(1));
            Assert.That(before.GetProperty("delivered").GetInt32(), Is.EqualTo(1));
            Assert.That(before.GetProperty("accepted_at").GetString(), Does.EndWith("Z"));
            Assert.That(before.GetProperty("merchant_accepted_at").ValueKind, Is.EqualTo(JsonValueKind.Null));
            Assert.That(after.GetProperty("merchant_accepted_at").GetString(), Does.EndWith("Z"));
            Assert.That(after.GetProperty("escalated_at").ValueKind, Is.EqualTo(JsonValueKind.Null));
        });
    }

    [Test]
    public async Task OrderStatus_UnknownOrWithoutKey_ProblemBodies()
    {
        var unknown = await Relay.Http.GetAsync("orders/no-such-order");
        var unknownSeq = await Relay.Http.GetAsync("orders/seq/12345");
        var badSeq = await Relay.Http.GetAsync("orders/seq/x");
        using var anonymous = new HttpClient { BaseAddress = Relay.HttpBase };
        var unauthorized = await anonymous.GetAsync("orders/seq/1");

        Assert.Multiple(async () =>
        {
            Assert.That(unknown.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
            Assert.That(unknown.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/problem+json"));
            Assert.That(JsonDocument.Parse(await unknown.Content.ReadAsStringAsync()).RootElement.GetProperty("code").GetString(), Is.EqualTo("not_found"));
            Assert.That(unknownSeq.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
            Assert.That(badSeq.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
            Assert.That(unauthorized.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
        });
    }

    private async Task<JsonElement> GetOrderAsync(string id)
    {
        var response = await Relay.Http.GetAsync($"orders/{id}");
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), await response.Content.ReadAsStringAsync());
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone();
    }

    /// <summary>The SQLite store writes confirmations about once a second: asks until the status shows it.</summary>
    private Task<JsonElement> WaitForAsync(string path, Func<JsonElement, bool> condition) =>
        Eventually.UntilAsync(async () =>
        {
            var response = await Relay.Http.GetAsync(path);
            return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone();
        }, condition, $"{path} to show the confirmation");
}
