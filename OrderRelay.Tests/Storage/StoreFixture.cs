using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using OrderRelay.Configuration;
using OrderRelay.Protocol;
using OrderRelay.Storage;
using OrderRelay.Tests.Support;

namespace OrderRelay.Tests.Storage;

/// <summary>Opens real <see cref="SqliteOrderStore"/>s on files in a temp directory of the test's own.</summary>
internal sealed class StoreFixture : IDisposable
{
    private readonly TempDirectory _directory = new();

    public string DatabasePath => _directory.File("journal.db");

    public TempDirectory Directory => _directory;

    public ManualClock Clock { get; } = new(new DateTimeOffset(2026, 11, 24, 13, 0, 0, TimeSpan.Zero));

    public SqliteOrderStore Create(Action<RelayOptions>? configure = null)
    {
        var options = new RelayOptions { Store = StoreKinds.Sqlite };
        options.Sqlite.Path = DatabasePath;
        options.Sqlite.BusyTimeout = TimeSpan.FromSeconds(1);
        configure?.Invoke(options);
        return new SqliteOrderStore(options, Clock, NullLogger<SqliteOrderStore>.Instance);
    }

    public async Task<SqliteOrderStore> OpenAsync(Action<RelayOptions>? configure = null)
    {
        var store = Create(configure);
        await store.OpenAsync(CancellationToken.None);
        return store;
    }

    public static JournalEntry Request(string? merchantId, int orderId, string? key = null) =>
        new(key, merchantId, Encoding.UTF8.GetBytes(Frames.Order(merchantId ?? "none", orderId)), Publisher: null, OnlinePages: 0);

    /// <summary>Appends one batch, accepted at the fixture's clock, and returns what the store made of each entry.</summary>
    public Task<AppendResult[]> AppendAsync(IOrderStore store, params JournalEntry[] batch) => AppendAsync(store, Clock.GetUtcNow(), batch);

    public static async Task<AppendResult[]> AppendAsync(IOrderStore store, DateTimeOffset acceptedAt, params JournalEntry[] batch)
    {
        var results = new AppendResult[batch.Length];
        await store.AppendAsync(batch, acceptedAt, results, CancellationToken.None);
        return results;
    }

    public static async Task<List<StoredOrder>> ReadAllAsync(IOrderStore store, MerchantFilter filter, long afterSeq = 0)
    {
        var all = new List<StoredOrder>();
        while (true)
        {
            var page = await store.ReadAfterAsync(afterSeq, filter, 3, CancellationToken.None);
            all.AddRange(page.Orders);
            if (page.ScannedThroughSeq <= afterSeq)
            {
                return all;
            }

            afterSeq = page.ScannedThroughSeq;
        }
    }

    public void Dispose() => _directory.Dispose();
}
