namespace OrderRelay.Storage;

/// <summary>Lua run inside Redis, so each step is atomic across every node.</summary>
internal static class RedisScripts
{
    /// <summary>
    /// ARGV before the per-order groups: key prefix (the epoch's), key lifetime (s), max orders
    /// kept, accepted-at (ms), signal channel, the node's epoch, the newest seq the node has seen,
    /// the epoch's tracking prefix, escalation after (ms, 0 off), most escalations pending.
    /// </summary>
    public const int AppendFixedArguments = 10;

    /// <summary>ARGV per order: idempotency key, merchant id, order, publisher, pages online.</summary>
    public const int AppendArgumentsPerOrder = 5;

    /// <summary>What the append script answers, instead of seqs, when the journal is not what the node knows.</summary>
    public const string JournalLost = "journal_lost";

    /// <summary>
    /// Decides a batch: a known idempotency key answers its seq negated; a new order takes the
    /// next seq, joins the stream (trimmed to the history size) and records its key. One
    /// signal tells every node to read the stream. Each new order joins its merchant's unconfirmed
    /// set and, with escalation on, is owed an escalation unless the pending limit is reached; the
    /// answer ends with how many were refused one (the batch's last accepted orders). First it refuses, appending nothing, when
    /// the journal has lost orders the node knows of: the epoch missing or another, or the seq
    /// counter behind the stream's newest entry or behind what the node has seen, since
    /// appending then would hand out seqs already used in this epoch.
    /// KEYS: seq, stream, epoch, escalations (due), escalation ages.
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
        local count = (#ARGV - 10) / 5
        local added = false
        local refused = 0
        local escalateAfter = tonumber(ARGV[9])
        for i = 0, count - 1 do
          local key = ARGV[11 + i * 5]
          local merchant = ARGV[12 + i * 5]
          local existing = false
          if key ~= '' then
            existing = redis.call('GET', ARGV[1] .. key)
          end
          if existing then
            results[i + 1] = -tonumber(existing)
          else
            seq = redis.call('INCR', KEYS[1])
            redis.call('XADD', KEYS[2], 'MAXLEN', '~', ARGV[3], seq .. '-0',
              'm', merchant, 'k', key, 't', ARGV[4], 'o', ARGV[13 + i * 5], 'p', ARGV[14 + i * 5], 'n', ARGV[15 + i * 5])
            if key ~= '' then
              redis.call('SET', ARGV[1] .. key, seq, 'EX', ARGV[2])
            end
            if merchant ~= '' then
              local unconfirmed = ARGV[8] .. 'u:' .. merchant
              redis.call('ZADD', unconfirmed, seq, seq)
              redis.call('ZREMRANGEBYSCORE', unconfirmed, '-inf', seq - tonumber(ARGV[3]))
              redis.call('EXPIRE', unconfirmed, ARGV[2])
            end
            if escalateAfter > 0 then
              if redis.call('ZCARD', KEYS[4]) < tonumber(ARGV[10]) then
                redis.call('ZADD', KEYS[4], tonumber(ARGV[4]) + escalateAfter, seq)
                redis.call('ZADD', KEYS[5], ARGV[4], seq)
                redis.call('HSET', ARGV[8] .. 'e:' .. seq, 'a', ARGV[4], 'm', merchant, 'k', key, 'n', 0)
              else
                refused = refused + 1
              end
            end
            results[i + 1] = seq
            added = true
          end
        end
        if added then
          redis.call('PUBLISH', ARGV[5], '1')
        end
        results[count + 1] = refused
        return results
        """;

    /// <summary>
    /// Starts a new epoch, once for the whole cluster: when the epoch is still the one the node
    /// knows (or gone), it becomes the candidate, seqs start again from 1, and the old epoch's
    /// stream and confirmations are dropped (their seqs mean nothing in the new one); when
    /// another node got there first, its epoch is answered. Idempotency keys live under their
    /// epoch's prefix, so the old ones simply expire. Every node is signalled to look.
    /// Escalations owed for the old epoch's orders are dropped with them (docs/receipts.md).
    /// KEYS: epoch, seq, stream, confirmations, escalations, escalation ages. ARGV: the node's epoch, candidate, signal channel.
    /// </summary>
    public const string StartEpoch = """
        local current = redis.call('GET', KEYS[1])
        if current and current ~= ARGV[1] then
          return current
        end
        redis.call('SET', KEYS[1], ARGV[2])
        redis.call('SET', KEYS[2], 0)
        redis.call('DEL', KEYS[3], KEYS[4], KEYS[5], KEYS[6])
        redis.call('PUBLISH', ARGV[3], 'epoch')
        return ARGV[2]
        """;

    /// <summary>
    /// Keeps, per merchant, the newest confirmed seq and when it was confirmed, as <c>seq:unix-ms</c>;
    /// every order of the merchant up to it not confirmed yet is confirmed now, with an event logged.
    /// KEYS: confirmations, stream, events, event counter. ARGV: merchant, seq, at (ms), tracking prefix,
    /// key lifetime (s), events kept, events channel.
    /// </summary>
    public const string Confirm = LogEventFunction + """
        local current = redis.call('HGET', KEYS[1], ARGV[1])
        if current then
          local seq = tonumber(string.match(current, '^(%d+):'))
          if seq >= tonumber(ARGV[2]) then
            return 0
          end
        end
        redis.call('HSET', KEYS[1], ARGV[1], ARGV[2] .. ':' .. ARGV[3])
        local unconfirmed = ARGV[4] .. 'u:' .. ARGV[1]
        local seqs = redis.call('ZRANGEBYSCORE', unconfirmed, '-inf', ARGV[2])
        for _, s in ipairs(seqs) do
          local facts = ARGV[4] .. 'o:' .. s
          if redis.call('HSETNX', facts, 'c', ARGV[3]) == 1 then
            redis.call('EXPIRE', facts, ARGV[5])
            logEvent(KEYS[2], KEYS[3], KEYS[4], ARGV[6], 1, s, ARGV[3])
          end
        end
        if #seqs > 0 then
          redis.call('ZREMRANGEBYSCORE', unconfirmed, '-inf', ARGV[2])
          redis.call('PUBLISH', ARGV[7], '1')
        end
        return 1
        """;

    /// <summary>
    /// A person's accept of a kept order: the first sets its time, logs an event and drops its
    /// escalation; 0 when the order is not kept. KEYS: stream, events, event counter, escalations,
    /// escalation ages. ARGV: seq, at (ms), tracking prefix, key lifetime (s), events kept, events channel.
    /// </summary>
    public const string Accept = LogEventFunction + """
        if #redis.call('XRANGE', KEYS[1], ARGV[1] .. '-0', ARGV[1] .. '-0') == 0 then
          return 0
        end
        local facts = ARGV[3] .. 'o:' .. ARGV[1]
        if redis.call('HSETNX', facts, 'a', ARGV[2]) == 1 then
          redis.call('EXPIRE', facts, ARGV[4])
          logEvent(KEYS[1], KEYS[2], KEYS[3], ARGV[5], 2, ARGV[1], ARGV[2])
          redis.call('ZREM', KEYS[4], ARGV[1])
          redis.call('ZREM', KEYS[5], ARGV[1])
          redis.call('DEL', ARGV[3] .. 'e:' .. ARGV[1])
          redis.call('PUBLISH', ARGV[6], '1')
        end
        return 1
        """;

    /// <summary>
    /// Claims escalations due by now for one node: each moves its due time to the end of the lease
    /// (so no other node takes it meanwhile) and counts an attempt. KEYS: escalations.
    /// ARGV: now (ms), lease end (ms), tracking prefix, most to claim. Answers {seq, accepted-at, merchant, key, attempt} each.
    /// </summary>
    public const string ClaimEscalations = """
        local due = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'LIMIT', 0, ARGV[4])
        local claimed = {}
        for _, s in ipairs(due) do
          redis.call('ZADD', KEYS[1], ARGV[2], s)
          local obligation = ARGV[3] .. 'e:' .. s
          local attempt = redis.call('HINCRBY', obligation, 'n', 1)
          local info = redis.call('HMGET', obligation, 'a', 'm', 'k')
          claimed[#claimed + 1] = {s, info[1] or '0', info[2] or '', info[3] or '', attempt}
        end
        return claimed
        """;

    /// <summary>The webhook took an escalation. KEYS: escalations, escalation ages. ARGV: seq, at (ms), tracking prefix, key lifetime (s).</summary>
    public const string CompleteEscalation = """
        redis.call('ZREM', KEYS[1], ARGV[1])
        redis.call('ZREM', KEYS[2], ARGV[1])
        redis.call('DEL', ARGV[3] .. 'e:' .. ARGV[1])
        local facts = ARGV[3] .. 'o:' .. ARGV[1]
        redis.call('HSETNX', facts, 'e', ARGV[2])
        redis.call('EXPIRE', facts, ARGV[4])
        return 1
        """;

    /// <summary>Logs one order event with the next cursor, reading who published the order from the stream.</summary>
    private const string LogEventFunction = """
        local function logEvent(stream, events, counter, kept, kind, seq, at)
          local entry = redis.call('XRANGE', stream, seq .. '-0', seq .. '-0')
          local publisher, key, merchant = '', '', ''
          if #entry > 0 then
            local fields = entry[1][2]
            for j = 1, #fields, 2 do
              if fields[j] == 'p' then publisher = fields[j + 1]
              elseif fields[j] == 'k' then key = fields[j + 1]
              elseif fields[j] == 'm' then merchant = fields[j + 1] end
            end
          end
          local cursor = redis.call('INCR', counter)
          redis.call('XADD', events, 'MAXLEN', '~', kept, cursor .. '-0', 'k', kind, 's', seq, 'p', publisher, 'i', key, 'm', merchant, 't', at)
        end

        """;
}
