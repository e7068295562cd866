using System.Globalization;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using OrderRelay.Configuration;
using OrderRelay.Protocol;
using StackExchange.Redis;

namespace OrderRelay.Storage;

/// <summary>
/// The journal in Redis, shared by every relay node connected to it: one seq counter and one
/// epoch for the cluster, a stream of orders (entry id <c>{seq}-0</c>) that every node tails,
/// idempotency keys that expire with the history window, and confirmations in a hash.
/// One Lua script decides a whole batch atomically, so seqs are gap-free across nodes.
/// </summary>
internal sealed partial class RedisOrderStore : IOrderStore, IOrderFeed
{
    private const int PageSize = 512;

    /// <summary>How long the feed waits for a new-order signal before looking anyway.</summary>
    private static readonly TimeSpan PollInterval = TimeSpan.FromSeconds(1);

    private static readonly TimeSpan RetryDelay = TimeSpan.FromMilliseconds(250);

    /// <summary>How often the health of the connection to Redis is checked in the background.</summary>
    private static readonly TimeSpan HealthCheckInterval = TimeSpan.FromMilliseconds(500);

    private readonly string _configuration;
    private readonly TimeSpan _operationTimeout;
    private readonly CancellationTokenSource _closing = new();
    private readonly RedisStoreKeys _keys;
    private readonly int _maxOrders;
    private readonly TimeSpan _keyLifetime;
    private readonly ILogger<RedisOrderStore> _logger;
    private readonly RedisReplicaWait? _replicaWait;
    private readonly EscalationOptions _escalation;
    private readonly Channel<bool> _newOrders = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
    private readonly RedisJournalPosition _journal = new();
    private ConnectionMultiplexer? _redis;
    private Task _healthChecks = Task.CompletedTask;
    private volatile bool _healthy;
    private int _disposed;
    private long _firstRetainedSeq = 1;

    /// <param name="options">Its configuration string may hold a password, so it is never logged.</param>
    public RedisOrderStore(RedisStoreOptions options, int maxOrders, TimeSpan keyLifetime, EscalationOptions escalation, ILogger<RedisOrderStore> logger)
    {
        _escalation = escalation;
        _configuration = options.Configuration;
        _operationTimeout = options.OperationTimeout;
        _keys = new RedisStoreKeys(options.KeyPrefix);
        _maxOrders = maxOrders;
        _keyLifetime = keyLifetime;
        _logger = logger;
        _replicaWait = options.WaitReplicas > 0 ? new RedisReplicaWait(options.WaitReplicas, options.WaitTimeout, _keys.ReplicationMarkChannel) : null;
    }

    public long FirstRetainedSeq => Volatile.Read(ref _firstRetainedSeq);

    private IDatabase Database => (_redis ?? throw new InvalidOperationException("The Redis store is not open.")).GetDatabase();

    /// <summary>Connects (failing at once when Redis cannot be reached) and reads or creates the cluster's epoch.</summary>
    public async ValueTask<JournalState> OpenAsync(CancellationToken cancellationToken)
    {
        var options = ConfigurationOptions.Parse(_configuration);
        // Only the first connection must succeed; after it, outages are ridden out by the
        // multiplexer reconnecting by itself.
        options.AbortOnConnectFail = true;
        // While Redis is unreachable a command fails at once rather than waiting in the client's
        // backlog, and one Redis does not answer fails after the operation timeout: a publish is
        // answered store_unavailable, never left hanging.
        options.BacklogPolicy = BacklogPolicy.FailFast;
        options.AsyncTimeout = options.SyncTimeout = (int)_operationTimeout.TotalMilliseconds;
        RedisSentinel.PrepareProcess(options);
        _redis = await ConnectionMultiplexer.ConnectAsync(options).ConfigureAwait(false);
        _healthy = true;
        // Known at once, not at the next health check: a load balancer must stop sending clients here.
        _redis.ConnectionFailed += (_, _) => _healthy = false;
        var database = Database;
        var candidate = JournalState.NewEpoch();
        await database.StringSetAsync(_keys.Epoch, candidate, when: When.NotExists).ConfigureAwait(false);
        var epoch = (string?)await database.StringGetAsync(_keys.Epoch).ConfigureAwait(false) ?? candidate;
        var lastSeq = (long?)await database.StringGetAsync(_keys.Seq).ConfigureAwait(false) ?? 0;
        _journal.Open(epoch, lastSeq);
        await _redis.GetSubscriber().SubscribeAsync(_keys.NewOrdersChannel, (_, _) => _newOrders.Writer.TryWrite(true)).ConfigureAwait(false);
        await _redis.GetSubscriber().SubscribeAsync(_keys.EventsChannel, (_, _) => _eventsLogged.Pulse()).ConfigureAwait(false);
        await RefreshFirstRetainedAsync(database, lastSeq).ConfigureAwait(false);
        _healthChecks = CheckHealthAsync(_closing.Token);
        return new JournalState(epoch, lastSeq);
    }

    public async ValueTask AppendAsync(IReadOnlyList<JournalEntry> entries, DateTimeOffset acceptedAt, AppendResult[] results, CancellationToken cancellationToken)
    {
        var timestamp = acceptedAt.ToUnixTimeMilliseconds();
        var (epoch, seen) = _journal.Position;
        var arguments = new RedisValue[RedisScripts.AppendFixedArguments + (entries.Count * RedisScripts.AppendArgumentsPerOrder)];
        arguments[0] = IdempotencyPrefix(epoch);
        arguments[1] = (long)_keyLifetime.TotalSeconds;
        arguments[2] = _maxOrders;
        arguments[3] = timestamp;
        arguments[4] = _keys.NewOrdersChannel.ToString();
        arguments[5] = epoch;
        arguments[6] = seen;
        arguments[7] = _keys.TrackingPrefix(epoch);
        arguments[8] = _escalation.Enabled ? (long)_escalation.After.TotalMilliseconds : 0;
        arguments[9] = _escalation.MaxPending;
        for (var i = 0; i < entries.Count; i++)
        {
            var entry = entries[i];
            var at = RedisScripts.AppendFixedArguments + (i * RedisScripts.AppendArgumentsPerOrder);
            arguments[at] = entry.IdempotencyKey ?? "";
            arguments[at + 1] = entry.MerchantId ?? "";
            arguments[at + 2] = entry.Order;
            arguments[at + 3] = entry.Publisher ?? "";
            arguments[at + 4] = entry.OnlinePages;
        }

        RedisResult answer;
        var script = Database.ScriptEvaluateAsync(RedisScripts.Append, [_keys.Seq, _keys.Stream, _keys.Epoch, _keys.Escalations, _keys.EscalationAges], arguments,
            RedisReplicaWait.ScriptFlags(_replicaWait));
        var replicated = _replicaWait?.RequestAsync(Database);
        try
        {
            // The client's own timeout is checked once a second; this bound holds to the millisecond.
            answer = await script.WaitAsync(_operationTimeout, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            _healthy = false;
            throw;
        }

        if (answer.Resp2Type != ResultType.Array)
        {
            // Nothing was appended: the batch is refused, and the cluster moves to a new epoch that clients are told of.
            await StartNewEpochAsync(epoch).ConfigureAwait(false);
            throw new JournalLostException($"The Redis journal no longer holds what epoch {epoch} had up to seq {seen}; nothing was accepted.");
        }

        var answered = (long[])answer!;
        // The last number is how many of the batch's last accepted orders got no escalation (the pending limit).
        var refusedEscalations = answered[^1];
        var seqs = answered[..^1];
        _journal.Saw(seqs.Max());
        if (replicated is not null)
        {
            // Too few replicas: the batch is refused although it is in the stream (docs/scaling.md).
            await replicated.WaitAsync(_operationTimeout, cancellationToken).ConfigureAwait(false);
        }

        for (var i = 0; i < entries.Count; i++)
        {
            results[i] = seqs[i] < 0 ? AppendResult.DuplicateOf(-seqs[i]) : AppendResult.Accepted(seqs[i]);
        }

        for (var i = entries.Count - 1; i >= 0 && refusedEscalations > 0; i--)
        {
            if (seqs[i] > 0)
            {
                results[i] = results[i] with { EscalationRefused = true };
                refusedEscalations--;
            }
        }
    }

    public async ValueTask<ReplayPage> ReadAfterAsync(long afterSeq, MerchantFilter filter, int maxCount, CancellationToken cancellationToken)
    {
        var entries = await ReadEntriesAsync(afterSeq, PageSize).ConfigureAwait(false);
        var found = new List<StoredOrder>();
        var scanned = afterSeq;
        foreach (var entry in entries)
        {
            if (found.Count == maxCount)
            {
                break;
            }

            var order = ToStoredOrder(entry);
            scanned = order.Seq;
            if (filter.Allows(order.MerchantId))
            {
                found.Add(order);
            }
        }

        return new ReplayPage(found, scanned);
    }

    public async ValueTask RecordConfirmationAsync(string merchantId, long seq, DateTimeOffset confirmedAt, CancellationToken cancellationToken) =>
        await Database.ScriptEvaluateAsync(RedisScripts.Confirm, [_keys.Confirmations, _keys.Stream, _keys.Events, _keys.EventCounter],
            [merchantId, seq, confirmedAt.ToUnixTimeMilliseconds(), _keys.TrackingPrefix(_journal.Position.Epoch), (long)_keyLifetime.TotalSeconds,
                EventsKept, _keys.EventsChannel.ToString()]).ConfigureAwait(false);

    public async ValueTask<MerchantConfirmation?> GetConfirmationAsync(string merchantId, CancellationToken cancellationToken)
    {
        var value = (string?)await Database.HashGetAsync(_keys.Confirmations, merchantId).ConfigureAwait(false);
        if (value?.Split(':') is not [var seq, var at])
        {
            return null;
        }

        return new MerchantConfirmation(long.Parse(seq, CultureInfo.InvariantCulture),
            DateTimeOffset.FromUnixTimeMilliseconds(long.Parse(at, CultureInfo.InvariantCulture)));
    }

    /// <summary>The last known state, never a round trip: a health check must answer at once even while Redis does not.</summary>
    public ValueTask<bool> IsHealthyAsync(CancellationToken cancellationToken) => ValueTask.FromResult(_healthy);

    public async ValueTask DisposeAsync()
    {
        // Registered as the store and as its order tracking, so the container disposes it twice.
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        await _closing.CancelAsync().ConfigureAwait(false);
        await _healthChecks.ConfigureAwait(false);
        if (_redis is { } redis)
        {
            await redis.DisposeAsync().ConfigureAwait(false);
        }

        _closing.Dispose();
    }

    private string IdempotencyPrefix(string epoch) => _keys.IdempotencyPrefix + epoch + ":";

    private Task<StreamEntry[]> ReadEntriesAsync(long afterSeq, int count) =>
        Database.StreamRangeAsync(_keys.Stream, minId: $"{afterSeq + 1}-0", maxId: "+", count: count);

    private async Task RefreshFirstRetainedAsync(IDatabase database, long lastKnownSeq)
    {
        var oldest = await database.StreamRangeAsync(_keys.Stream, minId: "-", maxId: "+", count: 1).ConfigureAwait(false);
        Volatile.Write(ref _firstRetainedSeq, oldest.Length > 0 ? SeqOf(oldest[0]) : lastKnownSeq + 1);
    }

    private static StoredOrder ToStoredOrder(StreamEntry entry)
    {
        string? merchantId = null;
        string? key = null;
        long timestamp = 0;
        byte[] order = [];
        foreach (var field in entry.Values)
        {
            switch ((string?)field.Name)
            {
                case "m":
                    merchantId = NullIfEmpty(field.Value);
                    break;
                case "k":
                    key = NullIfEmpty(field.Value);
                    break;
                case "t":
                    timestamp = (long)field.Value;
                    break;
                case "o":
                    order = (byte[])field.Value!;
                    break;
            }
        }

        return new StoredOrder(SeqOf(entry), DateTimeOffset.FromUnixTimeMilliseconds(timestamp), merchantId, key, order);
    }

    private static string? NullIfEmpty(RedisValue value) => value.IsNullOrEmpty ? null : (string?)value;

    private static long SeqOf(StreamEntry entry)
    {
        var id = (string)entry.Id!;
        return long.Parse(id.AsSpan(0, id.IndexOf('-', StringComparison.Ordinal)), CultureInfo.InvariantCulture);
    }
}
