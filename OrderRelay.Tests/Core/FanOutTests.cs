using Microsoft.Extensions.Logging.Abstractions;
using OrderRelay.Configuration;
using OrderRelay.Core;
using OrderRelay.Diagnostics;
using OrderRelay.Protocol;

namespace OrderRelay.Tests.Core;

/// <summary>The step that takes a catching-up subscriber live, and the sequence fan-out keeps, without sockets or a store.</summary>
public sealed class FanOutTests
{
    [Test]
    public void TryGoLive_RingReachesTheCursor_QueuesTheRestAndTakesItLiveInOneStep()
    {
        var fanOut = FanOutAt("e-1", lastSeq: 0);
        fanOut.Deliver([RecentOrdersTests.Order(1, "m-1"), RecentOrdersTests.Order(2, "m-2"), RecentOrdersTests.Order(3, "m-1")], []);
        var subscriber = Subscriber(MerchantFilter.For(["m-1"]), epoch: "e-1");
        var seam = new List<OrderRecord>();

        Assert.That(fanOut.TryGoLive(subscriber, cursor: 0, seam), Is.EqualTo(GoLiveOutcome.Live));
        fanOut.Deliver(RecentOrdersTests.Order(4, "m-1"), []);

        Assert.That(QueuedSeqs(subscriber), Is.EqualTo(new[] { 1L, 3L, 4L }), "the seam's orders, then live ones, each once");
        Assert.That(seam.Select(record => record.Seq), Is.EqualTo(new[] { 1L, 3L }));
    }

    [Test]
    public void TryGoLive_QueueWithoutRoomForTheRest_StaysBehindAndQueuesNothing()
    {
        var fanOut = FanOutAt("e-1", lastSeq: 0);
        fanOut.Deliver([RecentOrdersTests.Order(1, "m-1"), RecentOrdersTests.Order(2, "m-1")], []);
        var subscriber = Subscriber(MerchantFilter.For(["m-1"]), epoch: "e-1", capacity: 2);

        Assert.That(fanOut.TryGoLive(subscriber, cursor: 0, []), Is.EqualTo(GoLiveOutcome.StillBehind),
            "two orders and a slot kept free for a control frame do not fit in two");
        fanOut.Deliver(RecentOrdersTests.Order(3, "m-1"), []);

        Assert.That(QueuedSeqs(subscriber), Is.Empty, "not live, so fan-out passes it by");
    }

    [Test]
    public void TryGoLive_CursorBelowTheRing_StaysBehindForTheStoreToPage()
    {
        var fanOut = FanOutAt("e-1", lastSeq: 10);
        fanOut.Deliver(RecentOrdersTests.Order(11, "m-1"), []);

        Assert.That(fanOut.TryGoLive(Subscriber(MerchantFilter.Everything, epoch: "e-1"), cursor: 5, []), Is.EqualTo(GoLiveOutcome.StillBehind));
        Assert.That(fanOut.FloorOfRecent, Is.EqualTo(10));
    }

    [Test]
    public void TryGoLive_SubscriberWelcomedInAnEndedEpoch_IsToldRatherThanTakenLive()
    {
        var fanOut = FanOutAt("e-1", lastSeq: 3);
        fanOut.StartSequence("e-2", lastSeq: 0);
        var subscriber = Subscriber(MerchantFilter.Everything, epoch: "e-1");

        Assert.That(fanOut.TryGoLive(subscriber, cursor: 3, []), Is.EqualTo(GoLiveOutcome.EpochEnded));
        fanOut.Deliver(RecentOrdersTests.Order(1, "m-1"), []);
        Assert.That(QueuedSeqs(subscriber), Is.Empty);
    }

    [Test]
    public void StartSequence_HandsBackTheLiveSubscribersOfTheEndedOne_AndStartsAgainFromItsSeq()
    {
        var fanOut = FanOutAt("e-1", lastSeq: 7);
        var subscriber = Subscriber(MerchantFilter.For(["m-1"]), epoch: "e-1");
        Assert.That(fanOut.TryGoLive(subscriber, cursor: 7, []), Is.EqualTo(GoLiveOutcome.Live));

        var ended = fanOut.StartSequence("e-2", lastSeq: 0);

        Assert.That(ended, Is.EqualTo(new[] { subscriber }));
        Assert.That((fanOut.Epoch, fanOut.LastSeq), Is.EqualTo(("e-2", 0L)));
        Assert.That(fanOut.GetMerchantActivity("m-1").Online, Is.Zero);
    }

    [Test]
    public void TryFindMerchantOf_KnowsOnlySeqsAssigned_AndTheMerchantWhileTheOrderIsRecent()
    {
        var fanOut = FanOutAt("e-1", lastSeq: 0);
        fanOut.Deliver(RecentOrdersTests.Order(1, "m-1"), []);

        Assert.Multiple(() =>
        {
            Assert.That(fanOut.TryFindMerchantOf(1, out var merchant), Is.True);
            Assert.That(merchant, Is.EqualTo("m-1"));
            Assert.That(fanOut.TryFindMerchantOf(0, out _), Is.False);
            Assert.That(fanOut.TryFindMerchantOf(2, out _), Is.False);
        });
    }

    private static FanOut FanOutAt(string epoch, long lastSeq)
    {
        var fanOut = new FanOut(new RelayOptions(), new RelayMetrics(), NullLogger.Instance);
        fanOut.StartSequence(epoch, lastSeq);
        return fanOut;
    }

    private static Subscriber Subscriber(MerchantFilter filter, string epoch, int capacity = 16) =>
        new("s-1", filter, new OutboundQueue(capacity), epoch);

    private static List<long> QueuedSeqs(Subscriber subscriber)
    {
        var seqs = new List<long>();
        while (subscriber.Queue.TryDequeue(out var frame))
        {
            seqs.Add(((OrderRecord)frame).Seq);
        }

        return seqs;
    }
}
