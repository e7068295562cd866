using System.Buffers;
using System.Text;
using OrderRelay.Connections;

namespace OrderRelay.Tests.Connections;

[CancelAfter(5_000)]
public sealed class UpgradeRequestTests
{
    private const string Key = "dGhlIHNhbXBsZSBub25jZQ==";

    private static string Head(string requestLine = "GET /relay HTTP/1.1", params string[] headers) =>
        requestLine + "\r\n" + string.Join("", headers.Select(header => header + "\r\n")) + "\r\n";

    private static string[] Handshake(params string[] more) =>
        ["Host: relay", "Upgrade: websocket", "Connection: Upgrade", "Sec-WebSocket-Key: " + Key, "Sec-WebSocket-Version: 13", .. more];

    private static UpgradeVerdict Parse(string text, out UpgradeRequest? request) =>
        UpgradeRequest.Parse(new ReadOnlySequence<byte>(Encoding.ASCII.GetBytes(text)), "/relay", out request);

    [Test]
    public void Handshake_UpgradeWithKeyOriginAndHeadLength()
    {
        var head = Head(headers: Handshake("Origin: https://shop.example"));

        Assert.That(Parse(head + "\x81\x80", out var request), Is.EqualTo(UpgradeVerdict.Upgrade));
        Assert.That(request!.Key, Is.EqualTo(Key));
        Assert.That(request.Origin, Is.EqualTo("https://shop.example"));
        Assert.That(request.HeadLength, Is.EqualTo(head.Length));
    }

    [Test]
    public void SwitchingProtocolsResponse_CarriesRfcAccept()
    {
        Parse(Head(headers: Handshake()), out var request);

        var response = Encoding.ASCII.GetString(request!.SwitchingProtocolsResponse());

        Assert.That(response, Does.StartWith("HTTP/1.1 101 Switching Protocols\r\n").And.EndWith("\r\n\r\n"));
        Assert.That(response, Does.Contain("\r\nSec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n"));
    }

    [Test]
    public void HeadSplitOverSegments_Upgrade()
    {
        var bytes = Encoding.ASCII.GetBytes(Head(headers: Handshake()));
        var first = new Segment(bytes.AsMemory(0, 30));
        var last = first.Append(bytes.AsMemory(30));

        Assert.That(UpgradeRequest.Parse(new ReadOnlySequence<byte>(first, 0, last, last.Memory.Length), "/relay", out _),
            Is.EqualTo(UpgradeVerdict.Upgrade));
    }

    [TestCase("GE", TestName = "Parse_StartOfGet_NeedMore")]
    [TestCase("GET /relay HTTP/1.1\r\nHost: relay\r\n", TestName = "Parse_HeadWithoutBlankLine_NeedMore")]
    public void Parse_Incomplete_NeedMore(string text) =>
        Assert.That(Parse(text, out _), Is.EqualTo(UpgradeVerdict.NeedMore));

    [TestCase("POST /relay HTTP/1.1", TestName = "Parse_Post_PassOn")]
    [TestCase("get /relay HTTP/1.1", TestName = "Parse_LowerCaseMethod_PassOn")]
    [TestCase("GET /other HTTP/1.1", TestName = "Parse_AnotherPath_PassOn")]
    [TestCase("GET /relay/ HTTP/1.1", TestName = "Parse_TrailingSlash_PassOn")]
    [TestCase("GET /re%6Cay HTTP/1.1", TestName = "Parse_EscapedPath_PassOn")]
    [TestCase("GET http://relay/relay HTTP/1.1", TestName = "Parse_AbsoluteTarget_PassOn")]
    [TestCase("GET /relay HTTP/1.0", TestName = "Parse_Http10_PassOn")]
    [TestCase("GET  /relay HTTP/1.1", TestName = "Parse_DoubleSpace_PassOn")]
    public void Parse_OtherRequestLine_PassOn(string requestLine) =>
        Assert.That(Parse(Head(requestLine, Handshake()), out _), Is.EqualTo(UpgradeVerdict.PassOn));

    [Test]
    public void Parse_QueryAndCaseOfPath_Upgrade() =>
        Assert.That(Parse(Head("GET /Relay?since=5 HTTP/1.1", Handshake()), out _), Is.EqualTo(UpgradeVerdict.Upgrade));

    [TestCase("Content-Length: 0", TestName = "Parse_ContentLength_PassOn")]
    [TestCase("Transfer-Encoding: chunked", TestName = "Parse_TransferEncoding_PassOn")]
    [TestCase("Sec-WebSocket-Key: " + Key, TestName = "Parse_SecondKey_PassOn")]
    [TestCase("Origin: https://a.example", "Origin: https://b.example", TestName = "Parse_TwoOrigins_PassOn")]
    [TestCase("Host: other", TestName = "Parse_SecondHost_PassOn")]
    [TestCase("X-Note: caf\u00e9", TestName = "Parse_NonAsciiValue_PassOn")]
    [TestCase("Bad Name: x", TestName = "Parse_SpaceInHeaderName_PassOn")]
    [TestCase(" folded", TestName = "Parse_ObsoleteLineFolding_PassOn")]
    public void Parse_UnusualHeaders_PassOn(params string[] extra)
    {
        var head = Head(headers: Handshake(extra));
        var verdict = UpgradeRequest.Parse(new ReadOnlySequence<byte>(Encoding.Latin1.GetBytes(head)), "/relay", out _);

        Assert.That(verdict, Is.EqualTo(UpgradeVerdict.PassOn));
    }

    [TestCase("Host: relay", TestName = "Parse_NoHost_PassOn")]
    [TestCase("Upgrade: websocket", TestName = "Parse_NoUpgrade_PassOn")]
    [TestCase("Sec-WebSocket-Version: 13", TestName = "Parse_NoVersion_PassOn")]
    [TestCase("Sec-WebSocket-Key: " + Key, TestName = "Parse_NoKey_PassOn")]
    public void Parse_MissingHeader_PassOn(string missing) =>
        Assert.That(Parse(Head(headers: [.. Handshake().Where(header => header != missing)]), out _), Is.EqualTo(UpgradeVerdict.PassOn));

    [TestCase("Connection: keep-alive", TestName = "Parse_ConnectionWithoutUpgrade_PassOn")]
    [TestCase("Upgrade: h2c", TestName = "Parse_UpgradeToAnotherProtocol_PassOn")]
    [TestCase("Sec-WebSocket-Version: 8", TestName = "Parse_OldVersion_PassOn")]
    [TestCase("Sec-WebSocket-Key: c2hvcnQ=", TestName = "Parse_KeyNotSixteenBytes_PassOn")]
    public void Parse_WrongHandshakeValue_PassOn(string replacement)
    {
        var name = replacement[..replacement.IndexOf(':', StringComparison.Ordinal)];
        var headers = Handshake().Select(header => header.StartsWith(name + ":", StringComparison.Ordinal) ? replacement : header).ToArray();

        Assert.That(Parse(Head(headers: headers), out _), Is.EqualTo(UpgradeVerdict.PassOn));
    }

    [Test]
    public void Parse_ConnectionListWithUpgrade_Upgrade()
    {
        var headers = Handshake().Select(header => header.StartsWith("Connection:", StringComparison.Ordinal) ? "connection: keep-alive,  upgrade" : header).ToArray();

        Assert.That(Parse(Head(headers: headers), out _), Is.EqualTo(UpgradeVerdict.Upgrade));
    }

    [Test]
    public void Parse_HeadOverTheLimit_PassOnWithoutWaitingForItsEnd()
    {
        var unfinished = Head(headers: Handshake("X-Padding: " + new string('p', UpgradeRequest.MaxHeadBytes)))[..^2];

        Assert.That(Parse(unfinished, out _), Is.EqualTo(UpgradeVerdict.PassOn));
    }

    private sealed class Segment : ReadOnlySequenceSegment<byte>
    {
        public Segment(ReadOnlyMemory<byte> memory) => Memory = memory;

        public Segment Append(ReadOnlyMemory<byte> memory)
        {
            var next = new Segment(memory) { RunningIndex = RunningIndex + Memory.Length };
            Next = next;
            return next;
        }
    }
}
