using OrderRelay.Status;

namespace OrderRelay.Tests.Status;

[CancelAfter(10_000)]
public sealed class ActivityHistoryTests
{
    [Test]
    public void MoreSamplesThanCapacity_KeepsTheNewestOldestFirst()
    {
        var history = new ActivityHistory(capacity: 4);
        var start = DateTimeOffset.UnixEpoch;

        for (var second = 0; second < 10; second++)
        {
            history.Add(new ActivitySample(start.AddSeconds(second), 0, 0, OrdersAccepted: second, 0, 0, 0, 0));
        }

        Assert.That(history.Snapshot().Select(sample => sample.OrdersAccepted), Is.EqualTo(new long[] { 6, 7, 8, 9 }));
    }

    [Test]
    public void FewerSamplesThanCapacity_ReturnsThoseOnly()
    {
        var history = new ActivityHistory(capacity: 600);

        history.Add(new ActivitySample(DateTimeOffset.UnixEpoch, 1, 2, 3, 4, 5, 0, 0));

        Assert.That(history.Snapshot(), Has.Length.EqualTo(1));
        Assert.That(history.Snapshot()[0].Deliveries, Is.EqualTo(4));
    }
}
