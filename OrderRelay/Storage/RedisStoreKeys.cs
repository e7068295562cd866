using StackExchange.Redis;

namespace OrderRelay.Storage;

/// <summary>Every Redis name one deployment uses, under its configurable prefix, so deployments can share a Redis.</summary>
internal sealed class RedisStoreKeys(string prefix)
{
    public RedisKey Epoch { get; } = prefix + "epoch";

    public RedisKey Seq { get; } = prefix + "seq";

    public RedisKey Stream { get; } = prefix + "orders";

    public RedisKey Confirmations { get; } = prefix + "confirmed";

    /// <summary>Each idempotency key is a string <c>{prefix}key:{id}</c> holding its seq, expiring with the history window.</summary>
    public string IdempotencyPrefix { get; } = prefix + "key:";

    /// <summary>Escalations owed, by when each is due (or its claim's lease ends): seq → unix ms.</summary>
    public RedisKey Escalations { get; } = prefix + "escalations";

    /// <summary>The same orders by when the relay accepted them, for the age metric.</summary>
    public RedisKey EscalationAges { get; } = prefix + "escalation-ages";

    /// <summary>The order event log receipts are read from; entry id <c>{cursor}-0</c>.</summary>
    public RedisKey Events { get; } = prefix + "events";

    public RedisKey EventCounter { get; } = prefix + "event-cursor";

    public RedisChannel EventsChannel { get; } = RedisChannel.Literal(prefix + "events-logged");

    /// <summary>
    /// Per-order facts (<c>o:{seq}</c>), merchants' unconfirmed orders (<c>u:{merchant}</c>) and escalation
    /// details (<c>e:{seq}</c>) live under their epoch's prefix, since seqs start again in a new epoch.
    /// </summary>
    public string TrackingPrefix(string epoch) => prefix + "t:" + epoch + ":";

    public RedisChannel NewOrdersChannel { get; } = RedisChannel.Literal(prefix + "new-orders");

    /// <summary>Published to (by nobody listened to) only to move a connection's replication mark; see <see cref="RedisReplicaWait"/>.</summary>
    public string ReplicationMarkChannel { get; } = prefix + "replication-mark";
}
