using OrderRelay.Core;
using OrderRelay.Protocol;

namespace OrderRelay.Tests.Core;

public sealed class LiveSubscribersTests
{
    [Test]
    public void Deliver_QueuesTheSameRecordForEachEntitledSubscriber_AndSetsItsMerchant()
    {
        var ledger = new MerchantLedger(100);
        var live = new LiveSubscribers(ledger);
        var everything = Subscriber("all", MerchantFilter.Everything);
        var m1 = Subscriber("m1", MerchantFilter.For(["m-1"]));
        var m2 = Subscriber("m2", MerchantFilter.For(["m-2"]));
        live.Add(everything);
        live.Add(m1);
        live.Add(m2);
        var order = RecentOrdersTests.Order(1, "m-1");
        var overflowed = new List<Subscriber>();

        live.Deliver(order, overflowed);

        Assert.That(overflowed, Is.Empty);
        Assert.That(Queued(everything), Is.EqualTo(new[] { order }));
        Assert.That(Queued(m1).Single(), Is.SameAs(order));
        Assert.That(Queued(m2), Is.Empty);
        Assert.That(order.Merchant, Is.SameAs(ledger.Find("m-1")));
    }

    [Test]
    public void OrderWithoutMerchant_GoesOnlyToEveryMerchantSubscribers()
    {
        var live = new LiveSubscribers(new MerchantLedger(100));
        var everything = Subscriber("all", MerchantFilter.Everything);
        var m1 = Subscriber("m1", MerchantFilter.For(["m-1"]));
        live.Add(everything);
        live.Add(m1);

        live.Deliver(RecentOrdersTests.Order(1, merchantId: null), []);

        Assert.That(Queued(everything), Has.Count.EqualTo(1));
        Assert.That(Queued(m1), Is.Empty);
    }

    [Test]
    public void FullQueue_IsReportedAndRemoved_OthersStillGetTheOrder()
    {
        var ledger = new MerchantLedger(100);
        var live = new LiveSubscribers(ledger);
        var slow = Subscriber("slow", MerchantFilter.For(["m-1"]), capacity: 1);
        var quick = Subscriber("quick", MerchantFilter.For(["m-1"]));
        live.Add(slow);
        live.Add(quick);
        var overflowed = new List<Subscriber>();

        live.Deliver(RecentOrdersTests.Order(1, "m-1"), overflowed);
        live.Deliver(RecentOrdersTests.Order(2, "m-1"), overflowed);
        live.Deliver(RecentOrdersTests.Order(3, "m-1"), overflowed);

        Assert.That(overflowed, Is.EqualTo(new[] { slow }), "reported once: removed at its first overflow");
        Assert.That(Queued(quick).Select(record => record.Seq), Is.EqualTo(new[] { 1L, 2L, 3L }));
        Assert.That(ledger.Find("m-1")!.Online, Is.EqualTo(1));
    }

    [Test]
    public void OnlineCounts_FollowAddAndRemove_AndRemoveAllListsEachSubscriberOnce()
    {
        var ledger = new MerchantLedger(100);
        var live = new LiveSubscribers(ledger);
        var both = Subscriber("both", MerchantFilter.For(["m-1", "m-2"]));
        var one = Subscriber("one", MerchantFilter.For(["m-1"]));
        var everything = Subscriber("all", MerchantFilter.Everything);
        live.Add(both);
        live.Add(one);
        live.Add(everything);

        Assert.That(ledger.Find("m-1")!.Online, Is.EqualTo(2));
        Assert.That(ledger.Find("m-2")!.Online, Is.EqualTo(1));

        live.Remove(one);
        Assert.That(ledger.Find("m-1")!.Online, Is.EqualTo(1));

        var removed = live.RemoveAll();
        Assert.That(removed, Is.EquivalentTo(new[] { both, everything }));
        Assert.That(ledger.Find("m-1")!.Online, Is.Zero);
        Assert.That(ledger.Find("m-2")!.Online, Is.Zero);

        var overflowed = new List<Subscriber>();
        live.Deliver(RecentOrdersTests.Order(1, "m-1"), overflowed);
        Assert.That(Queued(both), Is.Empty, "removed subscribers get nothing more");
    }

    private static Subscriber Subscriber(string id, MerchantFilter filter, int capacity = 16) => new(id, filter, new OutboundQueue(capacity));

    private static List<OrderRecord> Queued(Subscriber subscriber)
    {
        var records = new List<OrderRecord>();
        while (subscriber.Queue.TryDequeue(out var frame))
        {
            records.Add((OrderRecord)frame);
        }

        return records;
    }
}
