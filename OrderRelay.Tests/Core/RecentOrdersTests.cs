using OrderRelay.Core;
using OrderRelay.Protocol;

namespace OrderRelay.Tests.Core;

public sealed class RecentOrdersTests
{
    [Test]
    public void AfterReset_CollectsOnlyWhatWasAddedSince_FilteredByMerchant()
    {
        var recent = new RecentOrders(8);
        recent.Reset(newestSeq: 10);
        recent.Add(Order(11, "m-1"));
        recent.Add(Order(12, "m-2"));
        recent.Add(Order(13, "m-1"));

        var collected = new List<OrderRecord>();
        Assert.That(recent.TryCollectAfter(11, MerchantFilter.For(["m-1"]), collected), Is.True);
        Assert.That(collected.Select(record => record.Seq), Is.EqualTo(new[] { 13L }));

        Assert.That(recent.TryCollectAfter(9, MerchantFilter.Everything, collected), Is.False,
            "seq 10 was never in the ring: a subscriber behind it must page from the store");
    }

    [Test]
    public void Wrapped_RaisesTheFloor_SoNoCallerMistakesAGapForNothingMissed()
    {
        var recent = new RecentOrders(3);
        recent.Reset(0);
        for (var seq = 1; seq <= 5; seq++)
        {
            recent.Add(Order(seq, "m-1"));
        }

        var collected = new List<OrderRecord>();
        Assert.That(recent.FloorSeq, Is.EqualTo(2));
        Assert.That(recent.TryCollectAfter(1, MerchantFilter.Everything, collected), Is.False);
        Assert.That(recent.TryCollectAfter(2, MerchantFilter.Everything, collected), Is.True);
        Assert.That(collected.Select(record => record.Seq), Is.EqualTo(new[] { 3L, 4L, 5L }), "oldest first");
    }

    [Test]
    public void Find_ReturnsAKeptOrder_AndNullForOneThatLeftOrNeverCame()
    {
        var recent = new RecentOrders(2);
        recent.Reset(0);
        recent.Add(Order(1, "m-1"));
        recent.Add(Order(2, "m-1"));
        recent.Add(Order(3, "m-1"));

        Assert.That(recent.Find(3)?.Seq, Is.EqualTo(3));
        Assert.That(recent.Find(2)?.Seq, Is.EqualTo(2));
        Assert.That(recent.Find(1), Is.Null);
        Assert.That(recent.Find(4), Is.Null);
    }

    internal static OrderRecord Order(long seq, string? merchantId) =>
        OrderRecord.Create(seq, DateTimeOffset.UnixEpoch, merchantId, """{"n":1}"""u8, acceptedTimestamp: 0);
}
