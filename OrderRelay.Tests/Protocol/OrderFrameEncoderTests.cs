using System.Text;
using OrderRelay.Protocol;

namespace OrderRelay.Tests.Protocol;

public sealed class OrderFrameEncoderTests
{
    private static readonly DateTimeOffset AcceptedAt = new(2026, 11, 29, 6, 5, 4, 321, TimeSpan.FromHours(8));

    [Test]
    public void Frame_CarriesTheOrderVerbatim_AndItsOffsetPointsAtIt()
    {
        var order = """{"order_id":"A-1","amount":100.00,"customer":"张三"}"""u8.ToArray();

        var frame = OrderFrameEncoder.Encode(42, "店-7", AcceptedAt, order, out var offset);

        Assert.That(Encoding.UTF8.GetString(frame), Is.EqualTo(
            """{"type":"order","seq":42,"merchant_id":"店-7","ts":"2026-11-28T22:05:04.321Z","order":{"order_id":"A-1","amount":100.00,"customer":"张三"}}"""));
        Assert.That(frame.AsSpan(offset, order.Length).SequenceEqual(order), Is.True);
    }

    [Test]
    public void OrderWithoutMerchant_HasANullMerchantId()
    {
        var frame = OrderFrameEncoder.Encode(1, merchantId: null, AcceptedAt, """{"x":1}"""u8, out _);

        Assert.That(Encoding.UTF8.GetString(frame), Does.Contain("\"merchant_id\":null,"));
    }

    [Test]
    public void LargeOrderBetweenSmallOnes_EachFrameIsExactlyItsOwn()
    {
        // The large one outgrows the reused scratch buffer, which is then let go; neither it nor
        // the frames around it may carry bytes of another.
        var small = """{"n":1}"""u8.ToArray();
        var large = Encoding.UTF8.GetBytes("{\"pad\":\"" + new string('x', 40_000) + "\"}");

        var before = OrderFrameEncoder.Encode(1, "m", AcceptedAt, small, out _);
        var big = OrderFrameEncoder.Encode(2, "m", AcceptedAt, large, out var bigOffset);
        var after = OrderFrameEncoder.Encode(3, "m", AcceptedAt, small, out _);

        Assert.That(big.AsSpan(bigOffset, large.Length).SequenceEqual(large), Is.True);
        Assert.That(big, Has.Length.EqualTo(bigOffset + large.Length + 1));
        Assert.That(Encoding.UTF8.GetString(after), Is.EqualTo(Encoding.UTF8.GetString(before).Replace("\"seq\":1", "\"seq\":3", StringComparison.Ordinal)));
    }

    [Test]
    [CancelAfter(30_000)]
    public async Task ThreadsEncodingAtOnce_NeverMixTheirFrames()
    {
        var encoders = Enumerable.Range(0, 4).Select(thread => Task.Run(() =>
        {
            for (var i = 0; i < 5_000; i++)
            {
                var order = Encoding.UTF8.GetBytes($"{{\"thread\":{thread},\"i\":{i}}}");
                var frame = OrderFrameEncoder.Encode(i, $"m-{thread}", AcceptedAt, order, out var offset);
                if (!frame.AsSpan(offset, order.Length).SequenceEqual(order) || !Encoding.UTF8.GetString(frame).Contains($"\"merchant_id\":\"m-{thread}\"", StringComparison.Ordinal))
                {
                    return $"thread {thread}, order {i}: {Encoding.UTF8.GetString(frame)}";
                }
            }

            return null;
        }));

        var mixed = (await Task.WhenAll(encoders)).Where(problem => problem is not null);

        Assert.That(mixed, Is.Empty);
    }
}
