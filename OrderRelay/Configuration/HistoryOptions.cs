namespace OrderRelay.Configuration;

/// <summary>The <c>Relay:History</c> section: retention of orders and their idempotency keys.</summary>
internal sealed class HistoryOptions
{
    /// <summary>
    /// Orders older than this are pruned from the SQLite journal; Redis forgets idempotency keys
    /// after it. The memory store is bounded by count alone.
    /// </summary>
    public TimeSpan MaxAge { get; set; } = TimeSpan.FromHours(24);

    /// <summary>
    /// At most this many of the newest orders (and their keys) are kept, by every store: SQLite
    /// prunes beyond it, Redis trims its stream to about it, and the memory store keeps the smaller
    /// of this and <see cref="RelayOptions.HistoryLimit"/>.
    /// </summary>
    public int MaxOrders { get; set; } = 1_000_000;
}
