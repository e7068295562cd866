namespace OrderRelay.Configuration;

/// <summary>The <c>Relay:Redis</c> section, used when <c>Relay:Store=redis</c>.</summary>
internal sealed class RedisStoreOptions
{
    /// <summary>A StackExchange.Redis configuration string, e.g. <c>redis-1:6379,password=…</c>.</summary>
    public string Configuration { get; set; } = "";

    /// <summary>Prefix of every key and channel, so several deployments can share one Redis.</summary>
    public string KeyPrefix { get; set; } = "orderrelay:";

    /// <summary>
    /// The longest a Redis command may take before it fails: a publish is then answered
    /// <c>store_unavailable</c> instead of waiting, and a ping of the health check counts as failed.
    /// </summary>
    public TimeSpan OperationTimeout { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>
    /// Replicas that must confirm a batch (Redis <c>WAIT</c>) before its publishes are acked, so an
    /// ack survives losing the primary; 0 acks as soon as the primary has run the append.
    /// </summary>
    public int WaitReplicas { get; set; }

    /// <summary>How long Redis waits for <see cref="WaitReplicas"/> confirmations; fewer by then answers <c>store_unavailable</c>.</summary>
    public TimeSpan WaitTimeout { get; set; } = TimeSpan.FromSeconds(1);
}
