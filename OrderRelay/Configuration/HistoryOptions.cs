namespace OrderRelay.Configuration;

/// <summary>The <c>Relay:History</c> section: retention of orders and their idempotency keys.</summary>
internal sealed class HistoryOptions
{
    /// <summary>Orders older than this are pruned (SQLite store).</summary>
    public TimeSpan MaxAge { get; set; } = TimeSpan.FromHours(24);

    /// <summary>At most this many of the newest orders are kept (both stores).</summary>
    public int MaxOrders { get; set; } = 1_000_000;
}
