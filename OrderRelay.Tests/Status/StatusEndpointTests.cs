using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using OrderRelay.Configuration;
using OrderRelay.Hosting;
using OrderRelay.Tests.Browser;
using OrderRelay.Tests.Support;

namespace OrderRelay.Tests.Status;

/// <summary><c>/status/</c> and <c>/status/data</c> over real HTTP: who may see the figures, and what they say.</summary>
[CancelAfter(60_000)]
public sealed class StatusEndpointTests
{
    private const string Key = "pk-status-0123456789abcdef";

    [Test]
    public async Task KeysConfigured_DataRefusedWithoutOrWithAWrongKeyAndShownWithIt()
    {
        await using var relay = await RelayServer.StartAsync($"Relay:Auth:PublisherKeys:0={Key}");

        using var missing = await relay.Http.GetAsync("/status/data");
        using var wrong = await GetDataAsync(relay, "pk-wrong-0123456789abcdef");
        using var right = await GetDataAsync(relay, Key);
        using var page = await relay.Http.GetAsync("/status/");

        Assert.That(missing.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
        Assert.That(wrong.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
        Assert.That(right.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        var data = await right.Content.ReadFromJsonAsync<JsonElement>();
        Assert.That(data.GetProperty("connections").GetProperty("subscriber").GetInt64(), Is.Zero);
        Assert.That(right.Headers.CacheControl?.NoStore, Is.True);
        Assert.That(page.StatusCode, Is.EqualTo(HttpStatusCode.OK), "the page holds no figures: it is where the key is typed");
        Assert.That(page.Headers.GetValues("Content-Security-Policy").Single(), Does.Contain("script-src 'self'"));
    }

    [Test]
    public async Task OpenMode_LoopbackClientSeesTheFigures()
    {
        await using var relay = await RelayServer.StartAsync();

        using var data = await relay.Http.GetAsync("/status/data");
        using var page = await relay.Http.GetAsync("/status/");

        Assert.That(data.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(page.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(await page.Content.ReadAsStringAsync(), Does.Contain("OrderRelay status"));
    }

    /// <summary>A trusted proxy forwarding a remote client, and an untrusted one on the same host: neither is the operator's own browser.</summary>
    [TestCase("Relay:ForwardedHeaders:KnownProxies:0=127.0.0.1")]
    [TestCase("Relay:MerchantLimit=100000")]
    public async Task OpenMode_ForwardedClient_Refused(string proxySetting)
    {
        await using var relay = await RelayServer.StartAsync(proxySetting);

        using var data = await GetForwardedAsync(relay, "/status/data");
        using var page = await GetForwardedAsync(relay, "/status/");

        Assert.That(data.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
        Assert.That(await data.Content.ReadAsStringAsync(), Does.Contain("Relay:Status:AllowRemote"));
        Assert.That(page.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
    }

    [Test]
    public async Task OpenModeWithAllowRemote_ForwardedClientSeesTheFigures()
    {
        await using var relay = await RelayServer.StartAsync("Relay:ForwardedHeaders:KnownProxies:0=127.0.0.1", "Relay:Status:AllowRemote=true");

        using var data = await GetForwardedAsync(relay, "/status/data");

        Assert.That(data.StatusCode, Is.EqualTo(HttpStatusCode.OK));
    }

    [Test]
    public async Task StatusDisabled_NotServed()
    {
        await using var relay = await RelayServer.StartAsync("Relay:Status:Enabled=false");

        using var data = await relay.Http.GetAsync("/status/data");

        Assert.That(data.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
    }

    [TestCase($"Relay:Auth:PublisherKeys:0={Key}")]
    [TestCase("Relay:Status:Enabled=false")]
    public void AllowRemoteWhereItMeansNothing_StartupRefusedNamingIt(string other)
    {
        var refusal = Assert.Throws<RelayStartupException>(() => RelayApplication.Build(["--Relay:Status:AllowRemote=true", "--" + other]));

        Assert.That(refusal!.Message, Does.Contain("Relay:Status:AllowRemote"));
    }

    [Test]
    public async Task MerchantWhosePageConfirmed_NotListed_OtherMerchantListedWithItsNewestSeq()
    {
        await using var relay = await RelayServer.StartAsync();
        await using var page = await relay.ConnectSubscriberAsync("""{"type":"hello","role":"subscriber","merchants":["m-1001"]}""");
        var confirmedSeq = await MerchantPage.PublishAsync(relay, 1, merchantId: "m-1001");
        var waitingSeq = await MerchantPage.PublishAsync(relay, 2, merchantId: "m-2002");
        await page.ReceiveAsync();
        await page.SendAsync($$"""{"type":"ack","seq":{{confirmedSeq}}}""");
        // The confirmation is recorded when the relay reads it; the merchant endpoint shows when.
        await PollAsync(relay, "/merchants/m-1001", body => body.GetProperty("confirmed_seq").GetInt64() == confirmedSeq);

        var data = await PollAsync(relay, "/status/data", body => body.GetProperty("waiting_merchants_total").GetInt32() == 1);

        var waiting = data.GetProperty("waiting_merchants").EnumerateArray().Single();
        Assert.That(waiting.GetProperty("merchant_id").GetString(), Is.EqualTo("m-2002"));
        Assert.That(waiting.GetProperty("published_seq").GetInt64(), Is.EqualTo(waitingSeq));
        Assert.That(waiting.GetProperty("confirmed_seq").GetInt64(), Is.Zero);
        Assert.That(waiting.GetProperty("unconfirmed_since").GetString(), Is.Not.Null);
        Assert.That(data.GetProperty("merchants_online").GetInt32(), Is.EqualTo(1));
        Assert.That(data.GetProperty("connections").GetProperty("subscriber").GetInt64(), Is.EqualTo(1));
    }

    [Test]
    public async Task OrdersPublished_AppearInTheHistoryAndTheLatencyFigures()
    {
        await using var relay = await RelayServer.StartAsync();
        await using var subscriber = await relay.ConnectSubscriberAsync();
        for (var order = 1; order <= 3; order++)
        {
            await MerchantPage.PublishAsync(relay, order);
            await subscriber.ReceiveAsync();
        }

        // The recorder samples once a second; the data shows the orders once a sample has taken them.
        var data = await PollAsync(relay, "/status/data", body => Sum(body, "orders") == 3 && Sum(body, "deliveries") == 3);

        Assert.That(data.GetProperty("orders_accepted").GetInt64(), Is.EqualTo(3));
        Assert.That(data.GetProperty("deliveries").GetInt64(), Is.EqualTo(3));
        Assert.That(data.GetProperty("latency").GetProperty("observed").GetInt64(), Is.EqualTo(3));
        Assert.That(data.GetProperty("latency").GetProperty("p99").GetProperty("ms").GetDouble(), Is.GreaterThan(0));
    }

    private static long Sum(JsonElement data, string series) =>
        data.GetProperty("history").GetProperty(series).EnumerateArray().Sum(value => value.GetInt64());

    private static async Task<HttpResponseMessage> GetDataAsync(RelayServer relay, string key)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/status/data");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        return await relay.Http.SendAsync(request);
    }

    private static async Task<HttpResponseMessage> GetForwardedAsync(RelayServer relay, string path)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Add("X-Forwarded-For", "203.0.113.7");
        return await relay.Http.SendAsync(request);
    }

    /// <summary>Asks until <paramref name="done"/> holds, up to ten seconds: the figures follow a one-second sampler.</summary>
    private static Task<JsonElement> PollAsync(RelayServer relay, string path, Func<JsonElement, bool> done) =>
        Eventually.UntilAsync(() => relay.Http.GetFromJsonAsync<JsonElement>(path), done, $"{path} to show the figures", TimeSpan.FromSeconds(10),
            TimeSpan.FromMilliseconds(100));
}
