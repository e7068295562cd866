using System.Text;
using OrderRelay.Protocol;

namespace OrderRelay.Tests.Protocol;

public sealed class ClientFrameParserTests
{
    private readonly ClientFrameParser _parser = new("merchant_id");

    [Test]
    public void Publish_OrderRangeCoversTheOrderBytesExactly()
    {
        const string order = """{ "a" : 100.00 , "merchant_id" : "m-1", "b":[{"merchant_id":"nested"}] }""";
        var bytes = Encoding.UTF8.GetBytes($$"""{"type":"publish","order":{{order}},"id":"ord-1"}""");

        var frame = _parser.Parse(bytes);

        Assert.That(frame.ProblemCode, Is.Null);
        Assert.That(Encoding.UTF8.GetString(bytes[frame.OrderRange]), Is.EqualTo(order));
        Assert.That(frame.OrderMerchantId, Is.EqualTo("m-1"), "only the top-level field routes");
        Assert.That(frame.Id, Is.EqualTo("ord-1"));
    }

    [TestCase("""{"merchant_id":1001}""", "1001")]
    [TestCase("""{"merchant_id":-7}""", "-7")]
    [TestCase("""{"merchant_id":"m-\u00e9"}""", "m-é")]
    [TestCase("""{"merchant_id":null}""", null)]
    [TestCase("""{"other":1}""", null)]
    public void MerchantId_NormalisedToText(string order, string? expected)
    {
        var frame = _parser.Parse(Encoding.UTF8.GetBytes($$"""{"type":"publish","order":{{order}}}"""));

        Assert.That(frame.ProblemCode, Is.Null);
        Assert.That(frame.OrderMerchantId, Is.EqualTo(expected));
    }

    [TestCase("""{"merchant_id":1.0}""")]
    [TestCase("""{"merchant_id":1e3}""")]
    [TestCase("""{"merchant_id":""}""")]
    [TestCase("""{"merchant_id":[1]}""")]
    [TestCase("""{"merchant_id":99999999999999999999}""")]
    public void MerchantId_NotAStringOrInteger_BadFrame(string order)
    {
        var frame = _parser.Parse(Encoding.UTF8.GetBytes($$"""{"type":"publish","id":"x","order":{{order}}}"""));

        Assert.That(frame.ProblemCode, Is.EqualTo(ErrorCodes.BadFrame));
        Assert.That(frame.Id, Is.EqualTo("x"));
    }

    [Test]
    public void Hello_ReadsEveryField()
    {
        var frame = _parser.Parse("""{"type":"hello","role":"subscriber","token":"t","merchants":["m-1",2],"since":57,"epoch":"e-1","extra":{"ignored":[1,2]}}"""u8);

        Assert.Multiple(() =>
        {
            Assert.That(frame.ProblemCode, Is.Null);
            Assert.That(frame.Type, Is.EqualTo("hello"));
            Assert.That(frame.Role, Is.EqualTo("subscriber"));
            Assert.That(frame.Token, Is.EqualTo("t"));
            Assert.That(frame.Merchants, Is.EqualTo(new[] { "m-1", "2" }));
            Assert.That(frame.Since, Is.EqualTo(57));
            Assert.That(frame.Epoch, Is.EqualTo("e-1"));
        });
    }

    [Test]
    public void EscapedPropertyNames_AreRecognised()
    {
        var frame = _parser.Parse("""{"\u0074ype":"ping"}"""u8);

        Assert.That(frame.Type, Is.EqualTo("ping"));
    }

    [Test]
    public void DeepNesting_BadJsonNotACrash()
    {
        var deep = new string('[', 5000) + new string(']', 5000);

        var frame = _parser.Parse(Encoding.UTF8.GetBytes($$$"""{"type":"publish","order":{"x":{{{deep}}}}}"""));

        Assert.That(frame.ProblemCode, Is.EqualTo(ErrorCodes.BadJson));
    }

    [Test]
    public void TooManyMerchants_BadFrame()
    {
        var merchants = string.Join(',', Enumerable.Range(0, ClientFrameParser.MaxMerchantsPerSubscription + 1));

        var frame = _parser.Parse(Encoding.UTF8.GetBytes($$"""{"type":"hello","role":"subscriber","merchants":[{{merchants}}]}"""));

        Assert.That(frame.ProblemCode, Is.EqualTo(ErrorCodes.BadFrame));
    }

    [Test]
    public void OverlongId_BadFrame()
    {
        var frame = _parser.Parse(Encoding.UTF8.GetBytes($$$"""{"type":"publish","id":"{{{new string('k', 257)}}}","order":{}}"""));

        Assert.That(frame.ProblemCode, Is.EqualTo(ErrorCodes.BadFrame));
    }

    [TestCase("""{"type":"publish","id":"ord-9","order":{"note":"xxxxxxxx""", "ord-9")]
    [TestCase("""{"order":{"deep":[1,2,3]},"id":"ord-8","type":"pub""", "ord-8")]
    [TestCase("""{"order":{"note":"xxxxxxxxxxxx""", null)]
    [TestCase("""[1,2""", null)]
    public void LeadingId_FoundInATruncatedPrefix(string prefix, string? expected)
    {
        Assert.That(ClientFrameParser.TryReadLeadingId(Encoding.UTF8.GetBytes(prefix)), Is.EqualTo(expected));
    }

    [Test]
    public void ParseOrder_BareObjectWithRoutingKey()
    {
        var frame = _parser.ParseOrder("""{"merchant_id":"m-9","x":1}"""u8);

        Assert.That(frame.ProblemCode, Is.Null);
        Assert.That(frame.Order, Is.EqualTo(OrderField.Object));
        Assert.That(frame.OrderMerchantId, Is.EqualTo("m-9"));
    }
}
