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

    public RedisChannel NewOrdersChannel { get; } = RedisChannel.Literal(prefix + "new-orders");

    /// <summary>Published to (by nobody listened to) only to move a connection's replication mark; see <see cref="RedisReplicaWait"/>.</summary>
    public string ReplicationMarkChannel { get; } = prefix + "replication-mark";
}
