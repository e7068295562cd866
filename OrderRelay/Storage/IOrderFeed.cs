namespace OrderRelay.Storage;

/// <summary>
/// A store shared by several relay nodes. Each node fans out what the store committed, in
/// the store's order, its own publishes included, so that every node delivers one sequence.
/// </summary>
internal interface IOrderFeed
{
    /// <summary>
    /// Every order after <paramref name="afterSeq"/>, in seq order, as the store commits it,
    /// and, between them, any change of epoch (after which the seqs start again from 1);
    /// rides out store outages by itself and ends only when cancelled.
    /// </summary>
    IAsyncEnumerable<FeedEvent> FollowAsync(long afterSeq, CancellationToken cancellationToken);
}

/// <summary>One step of a feed: an order, or the journal's restart under a new epoch.</summary>
internal readonly record struct FeedEvent(StoredOrder? Order, EpochChange? EpochChange);
