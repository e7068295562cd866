namespace OrderRelay.Storage;

/// <summary>Lua run inside Redis, so each step is atomic across every node.</summary>
internal static class RedisScripts
{
    /// <summary>
    /// ARGV before the per-order triples: key prefix (the epoch's), key lifetime (s), max orders
    /// kept, accepted-at (ms), signal channel, the node's epoch, the newest seq the node has seen.
    /// </summary>
    public const int AppendFixedArguments = 7;

    /// <summary>What the append script answers, instead of seqs, when the journal is not what the node knows.</summary>
    public const string JournalLost = "journal_lost";

    /// <summary>
    /// Decides a batch: a known idempotency key answers its seq negated; a new order takes the
    /// next seq, joins the stream (trimmed to the history size) and records its key. One
    /// signal tells every node to read the stream. First it refuses, appending nothing, when
    /// the journal has lost orders the node knows of: the epoch missing or another, or the seq
    /// counter behind the stream's newest entry or behind what the node has seen, since
    /// appending then would hand out seqs already used in this epoch.
    /// KEYS: seq, stream, epoch.
    /// </summary>
    public const string Append = """
        local epoch = redis.call('GET', KEYS[3])
        local seq = tonumber(redis.call('GET', KEYS[1]) or '0')
        local newest = redis.call('XREVRANGE', KEYS[2], '+', '-', 'COUNT', 1)
        local streamSeq = 0
        if #newest > 0 then
          streamSeq = tonumber(string.match(newest[1][1], '^(%d+)'))
        end
        if epoch ~= ARGV[6] or seq < streamSeq or seq < tonumber(ARGV[7]) then
          return 'journal_lost'
        end
        local results = {}
        local count = (#ARGV - 7) / 3
        local added = false
        for i = 0, count - 1 do
          local key = ARGV[8 + i * 3]
          local existing = false
          if key ~= '' then
            existing = redis.call('GET', ARGV[1] .. key)
          end
          if existing then
            results[i + 1] = -tonumber(existing)
          else
            seq = redis.call('INCR', KEYS[1])
            redis.call('XADD', KEYS[2], 'MAXLEN', '~', ARGV[3], seq .. '-0',
              'm', ARGV[9 + i * 3], 'k', key, 't', ARGV[4], 'o', ARGV[10 + i * 3])
            if key ~= '' then
              redis.call('SET', ARGV[1] .. key, seq, 'EX', ARGV[2])
            end
            results[i + 1] = seq
            added = true
          end
        end
        if added then
          redis.call('PUBLISH', ARGV[5], '1')
        end
        return results
        """;

    /// <summary>
    /// Starts a new epoch, once for the whole cluster: when the epoch is still the one the node
    /// knows (or gone), it becomes the candidate, seqs start again from 1, and the old epoch's
    /// stream and confirmations are dropped (their seqs mean nothing in the new one); when
    /// another node got there first, its epoch is answered. Idempotency keys live under their
    /// epoch's prefix, so the old ones simply expire. Every node is signalled to look.
    /// KEYS: epoch, seq, stream, confirmations. ARGV: the node's epoch, candidate, signal channel.
    /// </summary>
    public const string StartEpoch = """
        local current = redis.call('GET', KEYS[1])
        if current and current ~= ARGV[1] then
          return current
        end
        redis.call('SET', KEYS[1], ARGV[2])
        redis.call('SET', KEYS[2], 0)
        redis.call('DEL', KEYS[3], KEYS[4])
        redis.call('PUBLISH', ARGV[3], 'epoch')
        return ARGV[2]
        """;

    /// <summary>Keeps, per merchant, the newest confirmed seq and when it was confirmed, as <c>seq:unix-ms</c>.</summary>
    public const string Confirm = """
        local current = redis.call('HGET', KEYS[1], ARGV[1])
        if current then
          local seq = tonumber(string.match(current, '^(%d+):'))
          if seq >= tonumber(ARGV[2]) then
            return 0
          end
        end
        redis.call('HSET', KEYS[1], ARGV[1], ARGV[2] .. ':' .. ARGV[3])
        return 1
        """;
}
