namespace OrderRelay.Storage;

/// <summary>
/// A shared journal found to have lost orders (Redis restarted without its data, or a replica
/// promoted before it had the newest writes) and restarted under a new epoch, agreed by
/// every node, with seqs from 1.
/// </summary>
/// <param name="NewEpoch">The epoch every node now uses.</param>
/// <param name="LastSeqSeen">The newest seq this node had seen in the old epoch.</param>
internal sealed record EpochChange(string NewEpoch, long LastSeqSeen);
