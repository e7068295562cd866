namespace OrderRelay.Storage;

/// <summary>Lua run inside Redis, so each step is atomic across every node.</summary>
internal static class RedisScripts
{
    /// <summary>ARGV before the per-order triples: key prefix, key lifetime (s), max orders kept, accepted-at (ms), signal channel.</summary>
    public const int AppendFixedArguments = 5;

    /// <summary>
    /// Decides a batch: a known idempotency key answers its seq negated; a new order takes the
    /// next seq, joins the stream (trimmed to the history size) and records its key. One
    /// signal tells every node to read the stream.
    /// </summary>
    public const string Append = """
        local results = {}
        local count = (#ARGV - 5) / 3
        local added = false
        for i = 0, count - 1 do
          local key = ARGV[6 + i * 3]
          local existing = false
          if key ~= '' then
            existing = redis.call('GET', ARGV[1] .. key)
          end
          if existing then
            results[i + 1] = -tonumber(existing)
          else
            local seq = redis.call('INCR', KEYS[1])
            redis.call('XADD', KEYS[2], 'MAXLEN', '~', ARGV[3], seq .. '-0',
              'm', ARGV[7 + i * 3], 'k', key, 't', ARGV[4], 'o', ARGV[8 + i * 3])
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
