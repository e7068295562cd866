using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using OrderRelay.Configuration;
using OrderRelay.Core;
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

    public static PublishRequest Request(string? merchantId, int orderId, string? key = null) =>
        new(key, merchantId, Encoding.UTF8.GetBytes(Frames.Order(merchantId ?? "none", orderId)));

    /// <summary>Appends one batch and returns its requests, decided.</summary>
    public async Task<PublishRequest[]> AppendAsync(IOrderStore store, params PublishRequest[] batch)
    {
        await store.AppendAsync(batch, Clock.GetUtcNow(), CancellationToken.None);
        return batch;
    }

    public static async Task<List<OrderRecord>> ReadAllAsync(IOrderStore store, MerchantFilter filter, long afterSeq = 0)
    {
        var all = new List<OrderRecord>();
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
