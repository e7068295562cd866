using OrderRelay.Core;

namespace OrderRelay.Storage;

/// <summary>
/// A store shared by several relay nodes. Each node fans out what the store committed, in
/// the store's order, its own publishes included, so that every node delivers one sequence.
/// </summary>
internal interface IOrderFeed
{
    /// <summary>
    /// Every order after <paramref name="afterSeq"/>, in seq order, as the store commits it;
    /// rides out store outages by itself and ends only when cancelled.
    /// </summary>
    IAsyncEnumerable<OrderRecord> FollowAsync(long afterSeq, CancellationToken cancellationToken);
}
