using System.Net.WebSockets;
using System.Text;
using OrderRelay.Tests.Support;

namespace OrderRelay.Tests.Connections;

[CancelAfter(30_000)]
public sealed class HandshakeTests() : RelayServerTests("Relay:HandshakeTimeout=00:00:00.300")
{
    [Test]
    public async Task HelloAsPublisher_WelcomeCarriesConnectionEpochAndSeq()
    {
        await using var client = await Relay.ConnectAsync();
        var welcome = await client.HelloAsync("""{"type":"hello","role":"publisher"}""");

        Assert.Multiple(() =>
        {
            Assert.That(welcome.GetProperty("role").GetString(), Is.EqualTo("publisher"));
            Assert.That(welcome.GetProperty("connection_id").GetString(), Does.StartWith("c-"));
            Assert.That(welcome.GetProperty("epoch").GetString(), Is.EqualTo(Relay.Relay.Epoch).And.StartWith("e-"));
            Assert.That(welcome.Seq(), Is.Zero);
        });
    }

    [Test]
    public async Task HelloAsSubscriberWithMerchants_WelcomeEchoesThem()
    {
        await using var client = await Relay.ConnectAsync();
        var welcome = await client.HelloAsync("""{"type":"hello","role":"subscriber","merchants":["m-1001",42]}""");

        Assert.That(welcome.GetProperty("role").GetString(), Is.EqualTo("subscriber"));
        Assert.That(welcome.GetProperty("merchants").EnumerateArray().Select(m => m.GetString()), Is.EquivalentTo(new[] { "m-1001", "42" }));
        Assert.That(welcome.GetProperty("recovered").GetBoolean(), Is.True);
    }

    [Test]
    public async Task HelloAsSubscriberWithoutMerchants_WelcomeMerchantsIsNull()
    {
        await using var client = await Relay.ConnectAsync();
        var welcome = await client.HelloAsync("""{"type":"hello","role":"subscriber"}""");

        Assert.That(welcome.GetProperty("merchants").ValueKind, Is.EqualTo(System.Text.Json.JsonValueKind.Null));
    }

    [Test]
    public async Task WelcomeSeq_IsNewestAssignedSeq()
    {
        await using (var publisher = await Relay.ConnectPublisherAsync())
        {
            await publisher.PublishAsync(Frames.Order("m-1", 1));
            await publisher.PublishAsync(Frames.Order("m-1", 2));
        }

        await using var subscriber = await Relay.ConnectSubscriberAsync();
        Assert.That(subscriber.Welcome.Seq(), Is.EqualTo(2));
    }

    [TestCase("""{"type":"publish","order":{}}""", TestName = "FirstFrameOfAnotherType_HandshakeRequiredAndClose1008")]
    [TestCase("""{"type":"hello" """, TestName = "FirstFrameBadJson_HandshakeRequiredAndClose1008")]
    [TestCase("""[1,2,3]""", TestName = "FirstFrameNotAnObject_HandshakeRequiredAndClose1008")]
    [TestCase("""{"role":"publisher"}""", TestName = "FirstFrameWithoutType_HandshakeRequiredAndClose1008")]
    public async Task FirstFrameNotHello_IsRefused(string firstFrame)
    {
        await Relay.ExpectRefusedAsync(firstFrame, "handshake_required");
    }

    [Test]
    public async Task FirstFrameBinary_HandshakeRequiredAndClose1008()
    {
        await using var client = await Relay.ConnectAsync();
        await client.SendAsync(Encoding.UTF8.GetBytes("""{"type":"hello","role":"publisher"}"""), WebSocketMessageType.Binary);

        await client.ExpectErrorThenCloseAsync("handshake_required", WebSocketCloseStatus.PolicyViolation);
    }

    [Test]
    public async Task Silence_HandshakeTimeoutAndClose1008()
    {
        await using var client = await Relay.ConnectAsync();

        await client.ExpectErrorThenCloseAsync("handshake_timeout", WebSocketCloseStatus.PolicyViolation);
    }

    [Test]
    public async Task HelloWithUnknownRole_BadFrameAndClose1008()
    {
        await Relay.ExpectRefusedAsync("""{"type":"hello","role":"admin"}""", "bad_frame");
    }

    [TestCase("""{"type":"hello","role":"subscriber","merchants":"m-1"}""", TestName = "HelloWithMerchantsNotAnArray_BadFrameAndClose1008")]
    [TestCase("""{"type":"hello","role":"subscriber","merchants":[]}""", TestName = "HelloWithEmptyMerchants_BadFrameAndClose1008")]
    [TestCase("""{"type":"hello","role":"subscriber","since":-1}""", TestName = "HelloWithNegativeSince_BadFrameAndClose1008")]
    [TestCase("""{"type":"hello","role":"subscriber","since":"5"}""", TestName = "HelloWithStringSince_BadFrameAndClose1008")]
    public async Task HelloWithBadField_IsRefused(string hello)
    {
        await Relay.ExpectRefusedAsync(hello, "bad_frame");
    }

    [Test]
    public async Task SecondHello_NotAllowedAndStaysOpen()
    {
        await using var client = await Relay.ConnectPublisherAsync();
        await client.SendAsync("""{"type":"hello","role":"subscriber"}""");

        Assert.That((await client.ReceiveAsync()).Code(), Is.EqualTo("not_allowed"));
        await client.SendAsync("""{"type":"ping"}""");
        Assert.That((await client.ReceiveAsync()).Type(), Is.EqualTo("pong"));
    }

    [Test]
    public async Task PlainHttpGetOnSocketPath_Answers426()
    {
        using var response = await Relay.Http.GetAsync("/");

        Assert.That((int)response.StatusCode, Is.EqualTo(426));
    }
}
