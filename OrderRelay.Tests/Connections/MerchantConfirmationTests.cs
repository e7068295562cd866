using System.Net;
using System.Text.Json;
using OrderRelay.Tests.Support;

namespace OrderRelay.Tests.Connections;

[CancelAfter(30_000)]
public sealed class MerchantConfirmationTests : RelayServerTests
{
    [Test]
    public async Task SubscriberAck_RecordedForItsMerchantAndShownByGetMerchant()
    {
        await using var page = await Relay.ConnectSubscriberAsync("""{"type":"hello","role":"subscriber","merchants":["m-1001"]}""");
        await using var publisher = await Relay.ConnectPublisherAsync();
        await publisher.PublishAsync(Frames.Order("m-1001", 1));
        await publisher.PublishAsync(Frames.Order("m-2", 2));
        await publisher.PublishAsync(Frames.Order("m-1001", 3));
        Assert.That((await page.ReceiveAsync()).Seq(), Is.EqualTo(1));
        Assert.That((await page.ReceiveAsync()).Seq(), Is.EqualTo(3));

        await page.SendAsync("""{"type":"ack","seq":1}""");
        // The relay answers frames in order, so the pong proves the ack was handled.
        await page.SendAsync("""{"type":"ping"}""");
        Assert.That((await page.ReceiveAsync()).Type(), Is.EqualTo("pong"));

        var status = await GetMerchantAsync("m-1001");
        Assert.Multiple(() =>
        {
            Assert.That(status.GetProperty("merchant_id").GetString(), Is.EqualTo("m-1001"));
            Assert.That(status.GetProperty("online").GetInt32(), Is.EqualTo(1));
            Assert.That(status.GetProperty("delivered_seq").GetInt64(), Is.EqualTo(3));
            Assert.That(status.GetProperty("confirmed_seq").GetInt64(), Is.EqualTo(1));
            Assert.That(status.GetProperty("confirmed_at").GetString(), Does.Match(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$"));
        });
    }

    [Test]
    public async Task OlderAckAfterNewer_ConfirmedSeqNeverGoesBack()
    {
        await using var page = await Relay.ConnectSubscriberAsync("""{"type":"hello","role":"subscriber","merchants":["m-1"]}""");
        await using var publisher = await Relay.ConnectPublisherAsync();
        await publisher.PublishAsync(Frames.Order("m-1", 1));
        await publisher.PublishAsync(Frames.Order("m-1", 2));

        await page.SendAsync("""{"type":"ack","seq":2}""");
        await page.SendAsync("""{"type":"ack","seq":1}""");
        await page.SendAsync("""{"type":"ping"}""");
        await page.ReceiveOfTypeAsync("pong");

        Assert.That((await GetMerchantAsync("m-1")).GetProperty("confirmed_seq").GetInt64(), Is.EqualTo(2));
    }

    [Test]
    public async Task AckForUnassignedSeq_BadFrame()
    {
        await using var page = await Relay.ConnectSubscriberAsync();
        await page.SendAsync("""{"type":"ack","seq":77}""");

        Assert.That((await page.ReceiveAsync()).Code(), Is.EqualTo("bad_frame"));
    }

    [Test]
    public async Task AckWithoutSeq_BadFrame()
    {
        await using var page = await Relay.ConnectSubscriberAsync();
        await page.SendAsync("""{"type":"ack"}""");

        Assert.That((await page.ReceiveAsync()).Code(), Is.EqualTo("bad_frame"));
    }

    [Test]
    public async Task UnknownMerchant_ReportsNothingOnlineAndNothingConfirmed()
    {
        var status = await GetMerchantAsync("m-never");

        Assert.That(status.GetProperty("online").GetInt32(), Is.Zero);
        Assert.That(status.GetProperty("delivered_seq").GetInt64(), Is.Zero);
        Assert.That(status.GetProperty("confirmed_seq").GetInt64(), Is.Zero);
        Assert.That(status.GetProperty("confirmed_at").ValueKind, Is.EqualTo(JsonValueKind.Null));
    }

    [Test]
    public async Task DisconnectedPage_NoLongerCountedOnline()
    {
        var page = await Relay.ConnectSubscriberAsync("""{"type":"hello","role":"subscriber","merchants":["m-1"]}""");
        var connection = Relay.Connections.Find(page.Welcome.GetProperty("connection_id").GetString()!)!;
        Assert.That((await GetMerchantAsync("m-1")).GetProperty("online").GetInt32(), Is.EqualTo(1));

        await page.DisposeAsync();
        await connection.Completion.WaitAsync(WsClient.DefaultWait);

        Assert.That((await GetMerchantAsync("m-1")).GetProperty("online").GetInt32(), Is.Zero);
    }

    private async Task<JsonElement> GetMerchantAsync(string merchantId)
    {
        using var response = await Relay.Http.GetAsync($"/merchants/{merchantId}");
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return body.RootElement.Clone();
    }
}
