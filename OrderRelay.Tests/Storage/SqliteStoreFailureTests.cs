using Microsoft.Data.Sqlite;
using OrderRelay.Protocol;
using OrderRelay.Storage;

namespace OrderRelay.Tests.Storage;

[CancelAfter(30_000)]
public sealed class SqliteStoreFailureTests
{
    private StoreFixture _fixture = null!;

    [SetUp]
    public void CreateFixture() => _fixture = new StoreFixture();

    [TearDown]
    public void DeleteFixture() => _fixture.Dispose();

    [Test]
    public async Task Append_WhileWritesFail_ThrowsUnhealthyThenRecoversWithoutSkippingSeqs()
    {
        await using var store = await _fixture.OpenAsync();
        await _fixture.AppendAsync(store, StoreFixture.Request("m-1", 1));

        await using (await WriteLockHolder.TakeAsync(_fixture.DatabasePath))
        {
            Assert.ThrowsAsync<SqliteException>(async () => await _fixture.AppendAsync(store, StoreFixture.Request("m-1", 2, "k-2")));
            Assert.That(await store.IsHealthyAsync(CancellationToken.None), Is.False);
        }

        Assert.That(await store.IsHealthyAsync(CancellationToken.None), Is.True);
        var retried = await _fixture.AppendAsync(store, StoreFixture.Request("m-1", 2, "k-2"));
        Assert.That(retried[0], Is.EqualTo(AppendResult.Accepted(2)), "the failed batch was not half-stored");
        Assert.That((await StoreFixture.ReadAllAsync(store, MerchantFilter.Everything)).Select(order => order.Seq), Is.EqualTo(new long[] { 1, 2 }));
    }

    [Test]
    public async Task Append_AfterFailure_SuccessfulWriteMakesHealthyAgain()
    {
        await using var store = await _fixture.OpenAsync();
        await using (await WriteLockHolder.TakeAsync(_fixture.DatabasePath))
        {
            Assert.ThrowsAsync<SqliteException>(async () => await _fixture.AppendAsync(store, StoreFixture.Request("m-1", 1)));
        }

        await _fixture.AppendAsync(store, StoreFixture.Request("m-1", 1));

        Assert.That(await store.IsHealthyAsync(CancellationToken.None), Is.True);
    }
}
