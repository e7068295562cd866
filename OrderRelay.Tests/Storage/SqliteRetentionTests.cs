using OrderRelay.Protocol;
using OrderRelay.Storage;

namespace OrderRelay.Tests.Storage;

[CancelAfter(60_000)]
public sealed class SqliteRetentionTests
{
    private StoreFixture _fixture = null!;

    [SetUp]
    public void CreateFixture() => _fixture = new StoreFixture();

    [TearDown]
    public void DeleteFixture() => _fixture.Dispose();

    [Test]
    public async Task Prune_OverMaxOrders_OldestGoWithTheirKeys()
    {
        await using var store = await _fixture.OpenAsync(options => options.History.MaxOrders = 3);
        for (var i = 1; i <= 5; i++)
        {
            await _fixture.AppendAsync(store, StoreFixture.Request("m-1", i, "k-" + i));
        }

        await store.RunMaintenanceAsync(CancellationToken.None);
        var kept = await StoreFixture.ReadAllAsync(store, MerchantFilter.Everything);
        var retried = await _fixture.AppendAsync(store, StoreFixture.Request("m-1", 1, "k-1"), StoreFixture.Request("m-1", 4, "k-4"));

        Assert.Multiple(() =>
        {
            Assert.That(store.FirstRetainedSeq, Is.EqualTo(3));
            Assert.That(kept.Select(order => order.Seq), Is.EqualTo(new long[] { 3, 4, 5 }));
            Assert.That(retried[0], Is.EqualTo(AppendResult.Accepted(6)), "k-1 left the window with its order");
            Assert.That(retried[1], Is.EqualTo(AppendResult.DuplicateOf(4)));
        });
    }

    [Test]
    public async Task Prune_OlderThanMaxAge_OnlyThoseGo()
    {
        await using var store = await _fixture.OpenAsync(options => options.History.MaxAge = TimeSpan.FromHours(1));
        await _fixture.AppendAsync(store, StoreFixture.Request("m-1", 1), StoreFixture.Request("m-1", 2));
        _fixture.Clock.Now += TimeSpan.FromMinutes(30);
        await _fixture.AppendAsync(store, StoreFixture.Request("m-1", 3));
        _fixture.Clock.Now += TimeSpan.FromMinutes(45);

        await store.RunMaintenanceAsync(CancellationToken.None);

        Assert.That(store.FirstRetainedSeq, Is.EqualTo(3));
        Assert.That((await StoreFixture.ReadAllAsync(store, MerchantFilter.Everything)).Select(order => order.Seq), Is.EqualTo(new long[] { 3 }));
    }

    [Test]
    public async Task Prune_EverythingExpired_ReopenKeepsSeq()
    {
        string epoch;
        await using (var store = _fixture.Create(options => options.History.MaxAge = TimeSpan.FromHours(1)))
        {
            epoch = (await store.OpenAsync(CancellationToken.None)).Epoch;
            await _fixture.AppendAsync(store, StoreFixture.Request("m-1", 1), StoreFixture.Request("m-1", 2), StoreFixture.Request("m-1", 3));
            _fixture.Clock.Now += TimeSpan.FromHours(2);
            await store.RunMaintenanceAsync(CancellationToken.None);
            Assert.That(store.FirstRetainedSeq, Is.EqualTo(4));
        }

        await using var reopened = _fixture.Create();
        var state = await reopened.OpenAsync(CancellationToken.None);
        var next = await _fixture.AppendAsync(reopened, StoreFixture.Request("m-1", 4));

        Assert.Multiple(() =>
        {
            Assert.That(state, Is.EqualTo(new JournalState(epoch, 3)));
            Assert.That(reopened.FirstRetainedSeq, Is.EqualTo(4), "seq 4 is the only order kept");
            Assert.That(next[0].Seq, Is.EqualTo(4));
        });
    }

    [Test]
    public async Task Prune_ManyOrders_InChunksDownToMaxOrders()
    {
        await using var store = await _fixture.OpenAsync(options => options.History.MaxOrders = 1_000);
        for (var batch = 0; batch < 50; batch++)
        {
            await _fixture.AppendAsync(store, Enumerable.Range(batch * 500, 500).Select(i => StoreFixture.Request("m-" + (i % 7), i)).ToArray());
        }

        await store.RunMaintenanceAsync(CancellationToken.None);
        var page = await store.ReadAfterAsync(0, MerchantFilter.Everything, 1, CancellationToken.None);

        Assert.That(store.FirstRetainedSeq, Is.EqualTo(24_001));
        Assert.That(page.Orders.Single().Seq, Is.EqualTo(24_001));
    }
}
