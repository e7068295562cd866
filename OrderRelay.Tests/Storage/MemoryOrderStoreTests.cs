using OrderRelay.Configuration;
using OrderRelay.Protocol;
using OrderRelay.Storage;

namespace OrderRelay.Tests.Storage;

public sealed class MemoryOrderStoreTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 27, 1, 2, 3, TimeSpan.Zero);

    [Test]
    public async Task Append_AssignsConsecutiveSeqsAndRecognisesKeysWithinTheBatch()
    {
        var store = new MemoryOrderStore(historyLimit: 10, merchantLimit: 10);
        var results = await StoreFixture.AppendAsync(store, Now, Request("a"), Request("b"), Request("a"), Request(null));

        Assert.That(results, Is.EqualTo(new[]
        {
            AppendResult.Accepted(1), AppendResult.Accepted(2), AppendResult.DuplicateOf(1), AppendResult.Accepted(3),
        }));
    }

    [Test]
    public async Task KeysOfEvictedOrders_AreForgottenWithThem()
    {
        var store = new MemoryOrderStore(historyLimit: 2, merchantLimit: 10);
        await StoreFixture.AppendAsync(store, Now, Request("a"), Request("b"), Request("c"));

        var results = await StoreFixture.AppendAsync(store, Now, Request("a"), Request("c"));

        Assert.That(results[0], Is.EqualTo(AppendResult.Accepted(4)), "a key older than the window is new again");
        Assert.That(results[1], Is.EqualTo(AppendResult.DuplicateOf(3)));
        Assert.That(store.FirstRetainedSeq, Is.EqualTo(3));
    }

    [Test]
    public async Task ReadAfter_PagesInSeqOrderAndReportsHowFarItLooked()
    {
        var store = new MemoryOrderStore(historyLimit: 100, merchantLimit: 10);
        await StoreFixture.AppendAsync(store, Now, Enumerable.Range(0, 10).Select(i => Request(null, $"m-{i % 2}")).ToArray());

        var page = await store.ReadAfterAsync(2, MerchantFilter.For(["m-1"]), maxCount: 2, CancellationToken.None);
        var rest = await store.ReadAfterAsync(page.ScannedThroughSeq, MerchantFilter.For(["m-1"]), maxCount: 10, CancellationToken.None);
        var none = await store.ReadAfterAsync(10, MerchantFilter.Everything, maxCount: 10, CancellationToken.None);

        Assert.That(page.Orders.Select(o => o.Seq), Is.EqualTo(new long[] { 4, 6 }));
        Assert.That(page.ScannedThroughSeq, Is.EqualTo(6));
        Assert.That(rest.Orders.Select(o => o.Seq), Is.EqualTo(new long[] { 8, 10 }));
        Assert.That(none.Orders, Is.Empty);
        Assert.That(none.ScannedThroughSeq, Is.EqualTo(10));
    }

    [Test]
    public async Task PastMaxPendingEscalations_AcceptedButTheResultSaysNoneIsOwed()
    {
        var store = new MemoryOrderStore(historyLimit: 10, merchantLimit: 10, new EscalationOptions { After = TimeSpan.FromMinutes(1), MaxPending = 1 });

        var results = await StoreFixture.AppendAsync(store, Now, Request("a"), Request("b"), Request("a"));
        var due = await store.ClaimDueEscalationsAsync(Now.AddMinutes(1), TimeSpan.FromMinutes(1), 10, CancellationToken.None);

        Assert.That(results, Is.EqualTo(new[] { AppendResult.Accepted(1), AppendResult.Accepted(2, escalationRefused: true), AppendResult.DuplicateOf(1) }));
        Assert.That(due.Select(escalation => escalation.Seq), Is.EqualTo(new long[] { 1 }));
    }

    [Test]
    public async Task Confirmations_KeepTheNewestAndStayBounded()
    {
        var store = new MemoryOrderStore(historyLimit: 10, merchantLimit: 2);
        await store.RecordConfirmationAsync("m-1", 5, Now, CancellationToken.None);
        await store.RecordConfirmationAsync("m-1", 3, Now.AddSeconds(1), CancellationToken.None);
        await store.RecordConfirmationAsync("m-2", 1, Now, CancellationToken.None);
        await store.RecordConfirmationAsync("m-3", 1, Now, CancellationToken.None);

        Assert.That(await store.GetConfirmationAsync("m-1", CancellationToken.None), Is.Null, "the oldest merchant made room");
        Assert.That(await store.GetConfirmationAsync("m-3", CancellationToken.None), Is.EqualTo(new MerchantConfirmation(1, Now)));
    }

    [Test]
    public async Task Confirmation_NeverMovesBack()
    {
        var store = new MemoryOrderStore(historyLimit: 10, merchantLimit: 10);
        await store.RecordConfirmationAsync("m-1", 5, Now, CancellationToken.None);
        await store.RecordConfirmationAsync("m-1", 3, Now.AddSeconds(1), CancellationToken.None);

        Assert.That(await store.GetConfirmationAsync("m-1", CancellationToken.None), Is.EqualTo(new MerchantConfirmation(5, Now)));
    }

    private static JournalEntry Request(string? key, string? merchantId = "m-1") => new(key, merchantId, """{"x":1}"""u8.ToArray(), Publisher: null, OnlinePages: 0);
}
