using System.Globalization;
using StackExchange.Redis;

namespace OrderRelay.Storage;

/// <summary>
/// Issue 15 in Redis, shared by every node: per-order facts in a hash per order that expires with the
/// history window, the event log as a stream every node reads receipts and accepts from (with a
/// signal channel), and escalations in a sorted set by due time that nodes claim with a lease, in
/// one script, so one node at a time sends each (scripts in <see cref="RedisScripts"/>).
/// </summary>
internal sealed partial class RedisOrderStore : IOrderTracking
{
    private const int EventPageSize = 512;

    private readonly SignalSource _eventsLogged = new();

    /// <summary>Two events at most per kept order.</summary>
    private long EventsKept => 2L * _maxOrders;

    public Task NextEventsLogged => _eventsLogged.Next;

    public async ValueTask<TrackedOrder?> FindOrderAsync(long seq, CancellationToken cancellationToken)
    {
        var database = Database;
        var entries = await database.StreamRangeAsync(_keys.Stream, minId: $"{seq}-0", maxId: $"{seq}-0", count: 1).ConfigureAwait(false);
        if (entries.Length == 0)
        {
            return null;
        }

        var fields = entries[0].Values.ToDictionary(field => (string)field.Name!, field => field.Value);
        var facts = (await database.HashGetAllAsync(FactsKey(seq)).ConfigureAwait(false)).ToDictionary(entry => (string)entry.Name!, entry => entry.Value);
        return new TrackedOrder(seq, NullIfEmpty(fields.GetValueOrDefault("k")), NullIfEmpty(fields.GetValueOrDefault("m")),
            DateTimeOffset.FromUnixTimeMilliseconds((long)fields.GetValueOrDefault("t")), (int)(fields.GetValueOrDefault("n").IsNull ? 0 : (long)fields["n"]),
            OptionalTime(facts, "c"), OptionalTime(facts, "a"), OptionalTime(facts, "e"));
    }

    public async ValueTask<long?> FindSeqOfKeyAsync(string idempotencyKey, CancellationToken cancellationToken) =>
        (long?)await Database.StringGetAsync(IdempotencyPrefix(_journal.Position.Epoch) + idempotencyKey).ConfigureAwait(false);

    public async ValueTask<TrackedOrder?> AcceptAsync(long seq, DateTimeOffset acceptedAt, CancellationToken cancellationToken)
    {
        var kept = (long)await Database.ScriptEvaluateAsync(RedisScripts.Accept,
            [_keys.Stream, _keys.Events, _keys.EventCounter, _keys.Escalations, _keys.EscalationAges],
            [seq, acceptedAt.ToUnixTimeMilliseconds(), TrackingPrefix, (long)_keyLifetime.TotalSeconds, EventsKept, _keys.EventsChannel.ToString()]).ConfigureAwait(false);
        return kept == 1 ? await FindOrderAsync(seq, cancellationToken).ConfigureAwait(false) : null;
    }

    public async ValueTask<EventLogBounds> ReadEventBoundsAsync(CancellationToken cancellationToken)
    {
        var database = Database;
        var last = (long?)await database.StringGetAsync(_keys.EventCounter).ConfigureAwait(false) ?? 0;
        var oldest = await database.StreamRangeAsync(_keys.Events, minId: "-", maxId: "+", count: 1).ConfigureAwait(false);
        return new EventLogBounds(oldest.Length > 0 ? SeqOf(oldest[0]) : last + 1, last);
    }

    public async ValueTask<IReadOnlyList<OrderEvent>> ReadEventsAfterAsync(long afterCursor, string? publisher, OrderEventKind? kind, int maxCount,
        CancellationToken cancellationToken)
    {
        var found = new List<OrderEvent>();
        var cursor = afterCursor;
        // Filtered here, so a page of other publishers' (or kinds') events is read past rather than taken for the end of the log.
        while (found.Count < maxCount)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var entries = await Database.StreamRangeAsync(_keys.Events, minId: $"{cursor + 1}-0", maxId: "+", count: EventPageSize).ConfigureAwait(false);
            foreach (var entry in entries)
            {
                var logged = ToEvent(entry);
                cursor = logged.Cursor;
                if ((publisher is null || logged.Publisher == publisher) && (kind is null || logged.Kind == kind))
                {
                    found.Add(logged);
                    if (found.Count == maxCount)
                    {
                        break;
                    }
                }
            }

            if (entries.Length < EventPageSize)
            {
                break;
            }
        }

        return found;
    }

    public async ValueTask<IReadOnlyList<EscalationDue>> ClaimDueEscalationsAsync(DateTimeOffset now, TimeSpan lease, int maxCount, CancellationToken cancellationToken)
    {
        var database = Database;
        var answer = (RedisResult[])(await database.ScriptEvaluateAsync(RedisScripts.ClaimEscalations, [_keys.Escalations],
            [now.ToUnixTimeMilliseconds(), (now + lease).ToUnixTimeMilliseconds(), TrackingPrefix, maxCount]).ConfigureAwait(false))!;
        var claimed = new List<EscalationDue>(answer.Length);
        foreach (var item in answer)
        {
            var fields = (RedisResult[])item!;
            var seq = long.Parse((string)fields[0]!, CultureInfo.InvariantCulture);
            var confirmed = (long?)await database.HashGetAsync(FactsKey(seq), "c").ConfigureAwait(false);
            var entries = await database.StreamRangeAsync(_keys.Stream, minId: $"{seq}-0", maxId: $"{seq}-0", count: 1).ConfigureAwait(false);
            var order = entries.Length > 0 ? (byte[]?)entries[0].Values.FirstOrDefault(field => field.Name == "o").Value : null;
            claimed.Add(new EscalationDue(seq, NullIfEmpty((RedisValue)fields[3]), NullIfEmpty((RedisValue)fields[2]),
                DateTimeOffset.FromUnixTimeMilliseconds(long.Parse((string)fields[1]!, CultureInfo.InvariantCulture)),
                confirmed is { } at ? DateTimeOffset.FromUnixTimeMilliseconds(at) : null, (int)(long)fields[4], order));
        }

        return claimed;
    }

    public async ValueTask CompleteEscalationAsync(long seq, DateTimeOffset escalatedAt, CancellationToken cancellationToken) =>
        await Database.ScriptEvaluateAsync(RedisScripts.CompleteEscalation, [_keys.Escalations, _keys.EscalationAges],
            [seq, escalatedAt.ToUnixTimeMilliseconds(), TrackingPrefix, (long)_keyLifetime.TotalSeconds]).ConfigureAwait(false);

    public async ValueTask RetryEscalationAsync(long seq, DateTimeOffset nextAttemptAt, CancellationToken cancellationToken) =>
        await Database.SortedSetAddAsync(_keys.Escalations, seq, nextAttemptAt.ToUnixTimeMilliseconds(), SortedSetWhen.Exists).ConfigureAwait(false);

    public async ValueTask<long[]> CountPendingEscalationsAsync(IReadOnlyList<DateTimeOffset> acceptedBy, CancellationToken cancellationToken)
    {
        var counts = new long[acceptedBy.Count];
        for (var i = 0; i < counts.Length; i++)
        {
            counts[i] = await Database.SortedSetLengthAsync(_keys.EscalationAges, double.NegativeInfinity, acceptedBy[i].ToUnixTimeMilliseconds()).ConfigureAwait(false);
        }

        return counts;
    }

    private string TrackingPrefix => _keys.TrackingPrefix(_journal.Position.Epoch);

    private RedisKey FactsKey(long seq) => TrackingPrefix + "o:" + seq.ToString(CultureInfo.InvariantCulture);

    private static OrderEvent ToEvent(StreamEntry entry)
    {
        var fields = entry.Values.ToDictionary(field => (string)field.Name!, field => field.Value);
        return new OrderEvent(SeqOf(entry), (OrderEventKind)(long)fields["k"], (long)fields["s"], NullIfEmpty(fields["i"]), NullIfEmpty(fields["m"]),
            NullIfEmpty(fields["p"]), DateTimeOffset.FromUnixTimeMilliseconds((long)fields["t"]));
    }

    private static DateTimeOffset? OptionalTime(Dictionary<string, RedisValue> facts, string field) =>
        facts.TryGetValue(field, out var value) && !value.IsNullOrEmpty ? DateTimeOffset.FromUnixTimeMilliseconds((long)value) : null;
}
