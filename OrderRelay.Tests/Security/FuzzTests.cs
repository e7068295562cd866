using System.Net.WebSockets;
using System.Text;
using OrderRelay.Tests.Support;

namespace OrderRelay.Tests.Security;

/// <summary>Thousands of malformed frames and hellos: the relay answers each with a protocol error, stays up, and still relays.</summary>
[CancelAfter(120_000)]
public sealed class FuzzTests
{
    private readonly Random _random = new(20261127);

    [Test]
    public async Task MalformedFramesFromAPublisher_EachAnsweredWithAnErrorAndTheConnectionSurvives()
    {
        await using var relay = await RelayServer.StartAsync([.. SecuredRelay.Settings, "Relay:MaxMessageBytes=8192", "Relay:Limits:PublishBurst=100000"]);
        await using var publisher = await relay.ConnectPublisherAsync(SecuredRelay.PublisherHello());
        await using var subscriber = await relay.ConnectSubscriberAsync(SecuredRelay.Hello(SecuredRelay.Token("*")));

        const int frames = 3000;
        var sending = Task.Run(async () =>
        {
            for (var i = 0; i < frames; i++)
            {
                await publisher.SendAsync(MalformedFrame(i));
            }
        });
        var codes = new HashSet<string>();
        for (var i = 0; i < frames; i++)
        {
            var answer = await publisher.ReceiveAsync();
            Assert.That(answer.Type(), Is.EqualTo("error"), answer.ToString());
            codes.Add(answer.Code()!);
        }

        await sending;
        Assert.That(codes, Is.SubsetOf(new[] { "bad_json", "bad_frame", "too_large", "unknown_type", "not_allowed" }));
        Assert.That((await publisher.PublishAsync(Frames.Order("m-1", 1))).Type(), Is.EqualTo("ack"));
        Assert.That((await subscriber.ReceiveAsync()).Seq(), Is.EqualTo(1), "nothing malformed was delivered");
    }

    [Test]
    public async Task MalformedHellos_EachRefusedWithAProtocolErrorAndTheRelayStillRelays()
    {
        await using var relay = await RelayServer.StartAsync(SecuredRelay.Settings);
        for (var i = 0; i < 300; i++)
        {
            await using var client = await relay.ConnectAsync();
            await client.SendAsync(MalformedHello(i));
            var error = await client.ReceiveAsync();
            Assert.That(error.Code(), Is.AnyOf("handshake_required", "bad_frame", "auth_failed"), error.ToString());
            Assert.That(await client.ReceiveCloseAsync(), Is.EqualTo(WebSocketCloseStatus.PolicyViolation));
        }

        await using var subscriber = await relay.ConnectSubscriberAsync(SecuredRelay.Hello(SecuredRelay.Token("m-1")));
        await using var publisher = await relay.ConnectPublisherAsync(SecuredRelay.PublisherHello());
        await publisher.PublishAsync(Frames.Order("m-1", 1));
        Assert.That((await subscriber.ReceiveAsync()).Type(), Is.EqualTo("order"));
    }

    private string MalformedFrame(int i) => (i % 9) switch
    {
        0 => RandomText(_random.Next(1, 200)),
        1 => Truncate("""{"type":"publish","id":"x","order":{"merchant_id":"m-1","a":[1,2,{"b":"c"}]}}"""),
        2 => $$$"""{"type":"publish","order":{"x":{{{new string('[', 100 + _random.Next(100))}}}1{{{new string(']', 100)}}}}}""",
        3 => $$$"""{"type":"publish","order":{"note":"{{{new string('z', 9000)}}}"}}""",
        4 => WrongTypes[_random.Next(WrongTypes.Length)],
        5 => $$"""{"type":"{{RandomText(8).Replace("\"", "", StringComparison.Ordinal).Replace("\\", "", StringComparison.Ordinal)}}x"}""",
        6 => """{"type":"publish","order":{"merchant_id":"m-1"}} {"type":"publish"}""",
        7 => """{"type":"hello","role":"subscriber"}""",
        _ => "\"just a string\"",
    };

    private static readonly string[] WrongTypes =
    [
        """{"type":"publish","order":"{}"}""",
        """{"type":"publish","order":[]}""",
        """{"type":"publish","order":null}""",
        """{"type":"publish","id":{"a":1},"order":{}}""",
        """{"type":"publish","id":"x","order":{"merchant_id":[1]}}""",
        """{"type":"publish","id":"x","order":{"merchant_id":1.25}}""",
        """{"type":["publish"]}""",
        """{"type":null}""",
        """{"type":"publish"}""",
    ];

    private string MalformedHello(int i) => (i % 6) switch
    {
        0 => RandomText(_random.Next(1, 100)),
        1 => Truncate("""{"type":"hello","role":"subscriber","token":"abc"}"""),
        2 => """{"type":"hello","role":"subscriber","merchants":{"m":1}}""",
        3 => """{"type":"hello","role":"publisher","token":12345}""",
        4 => $$"""{"type":"hello","role":"subscriber","token":"{{RandomText(40).Replace("\"", "", StringComparison.Ordinal).Replace("\\", "", StringComparison.Ordinal)}}"}""",
        _ => $$"""{"type":"hello","role":"{{new string('r', 300)}}"}""",
    };

    private string Truncate(string json) => json[.._random.Next(1, json.Length - 1)];

    private string RandomText(int length)
    {
        var text = new StringBuilder(length);
        for (var i = 0; i < length; i++)
        {
            // Printable ASCII with some CJK and emoji: always valid UTF-8, rarely valid JSON.
            text.Append(_random.Next(10) switch
            {
                0 => "张",
                1 => "😀",
                _ => ((char)_random.Next(32, 127)).ToString(),
            });
        }

        return text.ToString();
    }
}
