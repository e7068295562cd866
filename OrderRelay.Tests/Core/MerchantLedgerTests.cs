using OrderRelay.Core;

namespace OrderRelay.Tests.Core;

public sealed class MerchantLedgerTests
{
    [Test]
    public void AtTheLimit_ForgetsTheOldestOfflineMerchant_NeverAnOnlineOne()
    {
        var ledger = new MerchantLedger(limit: 3);
        ledger.GetOrAdd("online-oldest").Online = 1;
        ledger.GetOrAdd("offline-older");
        ledger.GetOrAdd("offline-newer");

        ledger.GetOrAdd("new");

        Assert.That(ledger.All.Count(), Is.EqualTo(3));
        Assert.That(ledger.Find("online-oldest"), Is.Not.Null);
        Assert.That(ledger.Find("offline-older"), Is.Null);
        Assert.That(ledger.Find("offline-newer"), Is.Not.Null);
        Assert.That(ledger.Find("new"), Is.Not.Null);
    }

    [Test]
    public void EveryMerchantOnline_TheLedgerGrowsPastItsLimitRatherThanForgetAnOnlineOne()
    {
        var ledger = new MerchantLedger(limit: 2);
        ledger.GetOrAdd("a").Online = 1;
        ledger.GetOrAdd("b").Online = 1;

        ledger.GetOrAdd("c");

        Assert.That(new[] { "a", "b", "c" }.Select(ledger.Find), Has.All.Not.Null);
    }

    [Test]
    public void GetOrAdd_ReturnsTheSameActivity_AndDeliveredSeqKeepsTheMaximum()
    {
        var ledger = new MerchantLedger(limit: 10);
        var activity = ledger.GetOrAdd("m-1");

        activity.MarkDelivered(5);
        activity.MarkDelivered(3);
        Parallel.For(0, 1000, seq => activity.MarkDelivered(seq));

        Assert.That(ledger.GetOrAdd("m-1"), Is.SameAs(activity));
        Assert.That(activity.DeliveredSeq, Is.EqualTo(999));
        Assert.That(ledger.All.Count(), Is.EqualTo(1));
    }
}
