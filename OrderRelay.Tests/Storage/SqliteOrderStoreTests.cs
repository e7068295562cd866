using System.Text;
using OrderRelay.Core;
using OrderRelay.Protocol;
using OrderRelay.Storage;

namespace OrderRelay.Tests.Storage;

[CancelAfter(30_000)]
public sealed class SqliteOrderStoreTests
{
    private StoreFixture _fixture = null!;

    [SetUp]
    public void CreateFixture() => _fixture = new StoreFixture();

    [TearDown]
    public void DeleteFixture() => _fixture.Dispose();

    [Test]
    public async Task Open_NewFile_NewEpochAtSeqZero()
    {
        await using var store = _fixture.Create();
        var state = await store.OpenAsync(CancellationToken.None);

        Assert.Multiple(() =>
        {
            Assert.That(state.Epoch, Does.StartWith("e-"));
            Assert.That(state.LastSeq, Is.Zero);
            Assert.That(store.FirstRetainedSeq, Is.EqualTo(1));
            Assert.That(File.Exists(_fixture.DatabasePath), Is.True);
        });
    }

    [Test]
    public async Task Open_AnotherNewFile_AnotherEpoch()
    {
        using var other = new StoreFixture();
        await using var first = _fixture.Create();
        await using var second = other.Create();

        var firstEpoch = (await first.OpenAsync(CancellationToken.None)).Epoch;
        var secondEpoch = (await second.OpenAsync(CancellationToken.None)).Epoch;

        Assert.That(secondEpoch, Is.Not.EqualTo(firstEpoch));
    }

    [Test]
    public async Task Append_Batch_ConsecutiveSeqsInOneCommitAndReadBackVerbatim()
    {
        await using var store = await _fixture.OpenAsync();
        JournalEntry[] batch = [StoreFixture.Request("m-1", 1), StoreFixture.Request("m-2", 2), StoreFixture.Request(null, 3)];
        var results = await _fixture.AppendAsync(store, batch);
        var acceptedAt = _fixture.Clock.GetUtcNow();

        var read = await StoreFixture.ReadAllAsync(store, MerchantFilter.Everything);

        Assert.That(results, Is.EqualTo(new[] { AppendResult.Accepted(1), AppendResult.Accepted(2), AppendResult.Accepted(3) }));
        Assert.That(read.Select(order => order.Seq), Is.EqualTo(new long[] { 1, 2, 3 }));
        Assert.That(read.Select(order => Encoding.UTF8.GetString(order.Order)), Is.EqualTo(batch.Select(entry => Encoding.UTF8.GetString(entry.Order))));
        Assert.That(read.Select(order => order.AcceptedAt), Has.All.EqualTo(acceptedAt));
        // A replayed frame is byte for byte the one fanned out live.
        Assert.That(read.Select(order => Encoding.UTF8.GetString(OrderRecord.Create(order).Frame)),
            Is.EqualTo(batch.Select((entry, i) => Encoding.UTF8.GetString(OrderRecord.Create(results[i].Seq, acceptedAt, entry.MerchantId, entry.Order, 0).Frame))));
        Assert.That(read.Select(order => order.MerchantId), Is.EqualTo(new[] { "m-1", "m-2", null }));
    }

    [Test]
    public async Task Append_SameKeyTwiceInOneBatch_SecondIsDuplicateOfFirst()
    {
        await using var store = await _fixture.OpenAsync();
        var batch = await _fixture.AppendAsync(store,
            StoreFixture.Request("m-1", 1, "k-1"), StoreFixture.Request("m-1", 1, "k-1"), StoreFixture.Request("m-1", 2, "k-2"));

        Assert.That(batch, Is.EqualTo(new[] { AppendResult.Accepted(1), AppendResult.DuplicateOf(1), AppendResult.Accepted(2) }));
        Assert.That(await StoreFixture.ReadAllAsync(store, MerchantFilter.Everything), Has.Count.EqualTo(2));
    }

    [Test]
    public async Task Reopen_KeepsEpochSeqOrdersAndKeys()
    {
        JournalState before;
        await using (var store = _fixture.Create())
        {
            before = await store.OpenAsync(CancellationToken.None);
            await _fixture.AppendAsync(store, StoreFixture.Request("m-1", 1, "k-1"), StoreFixture.Request("m-1", 2));
        }

        await using var reopened = _fixture.Create();
        var after = await reopened.OpenAsync(CancellationToken.None);
        var retried = await _fixture.AppendAsync(reopened, StoreFixture.Request("m-1", 1, "k-1"), StoreFixture.Request("m-1", 3));

        Assert.Multiple(() =>
        {
            Assert.That(after, Is.EqualTo(new JournalState(before.Epoch, 2)));
            Assert.That(retried[0], Is.EqualTo(AppendResult.DuplicateOf(1)));
            Assert.That(retried[1], Is.EqualTo(AppendResult.Accepted(3)));
        });
    }

    [Test]
    public async Task ReadAfter_MerchantFilter_OnlyThoseMerchantsInSeqOrder()
    {
        await using var store = await _fixture.OpenAsync();
        for (var i = 1; i <= 12; i++)
        {
            await _fixture.AppendAsync(store, StoreFixture.Request(i % 3 == 0 ? null : "m-" + (i % 3), i));
        }

        var merchantOne = await StoreFixture.ReadAllAsync(store, MerchantFilter.For(["m-1"]));
        var everything = await StoreFixture.ReadAllAsync(store, MerchantFilter.Everything, afterSeq: 4);

        Assert.That(merchantOne.Select(order => order.Seq), Is.EqualTo(new long[] { 1, 4, 7, 10 }));
        Assert.That(everything.Select(order => order.Seq), Is.EqualTo(new long[] { 5, 6, 7, 8, 9, 10, 11, 12 }));
    }

    [Test]
    public async Task PastMaxPendingEscalations_AcceptedButTheResultSaysNoneIsOwed()
    {
        await using var store = await _fixture.OpenAsync(options =>
        {
            options.Escalation.After = TimeSpan.FromMinutes(1);
            options.Escalation.MaxPending = 1;
        });

        var results = await _fixture.AppendAsync(store, StoreFixture.Request("m-1", 1, "k-1"), StoreFixture.Request("m-1", 2), StoreFixture.Request("m-1", 1, "k-1"));
        var due = await store.ClaimDueEscalationsAsync(_fixture.Clock.GetUtcNow().AddMinutes(1), TimeSpan.FromMinutes(1), 10, CancellationToken.None);

        Assert.That(results, Is.EqualTo(new[] { AppendResult.Accepted(1), AppendResult.Accepted(2, escalationRefused: true), AppendResult.DuplicateOf(1) }));
        Assert.That(due.Select(escalation => escalation.Seq), Is.EqualTo(new long[] { 1 }));
    }

    [Test]
    public async Task ReadAfter_NewestSeq_EmptyPageAtThatSeq()
    {
        await using var store = await _fixture.OpenAsync();
        await _fixture.AppendAsync(store, StoreFixture.Request("m-1", 1));

        var page = await store.ReadAfterAsync(1, MerchantFilter.Everything, 10, CancellationToken.None);

        Assert.That(page.Orders, Is.Empty);
        Assert.That(page.ScannedThroughSeq, Is.EqualTo(1));
    }

    [Test]
    public async Task Confirmations_KeepNewestAndSurviveReopen()
    {
        var at = _fixture.Clock.GetUtcNow();
        await using (var store = await _fixture.OpenAsync())
        {
            await store.RecordConfirmationAsync("m-1", 5, at, CancellationToken.None);
            await store.RecordConfirmationAsync("m-1", 3, at.AddSeconds(1), CancellationToken.None);
            Assert.That(await store.GetConfirmationAsync("m-1", CancellationToken.None), Is.EqualTo(new MerchantConfirmation(5, at)));
        }

        await using var reopened = await _fixture.OpenAsync();
        Assert.That(await reopened.GetConfirmationAsync("m-1", CancellationToken.None), Is.EqualTo(new MerchantConfirmation(5, at)));
        Assert.That(await reopened.GetConfirmationAsync("m-2", CancellationToken.None), Is.Null);
    }

    [Test]
    public async Task Confirmations_OverMerchantLimit_LongestAgoForgotten()
    {
        var at = _fixture.Clock.GetUtcNow();
        await using var store = await _fixture.OpenAsync(options => options.MerchantLimit = 2);
        await store.RecordConfirmationAsync("m-1", 1, at, CancellationToken.None);
        await store.RecordConfirmationAsync("m-2", 2, at.AddSeconds(1), CancellationToken.None);
        await store.RunMaintenanceAsync(CancellationToken.None);
        await store.RecordConfirmationAsync("m-3", 3, at.AddSeconds(2), CancellationToken.None);
        await store.RunMaintenanceAsync(CancellationToken.None);

        Assert.That(await store.GetConfirmationAsync("m-1", CancellationToken.None), Is.Null);
        Assert.That(await store.GetConfirmationAsync("m-3", CancellationToken.None), Is.Not.Null);
    }
}
