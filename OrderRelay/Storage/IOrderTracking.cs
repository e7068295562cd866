namespace OrderRelay.Storage;

/// <summary>
/// What happens to an order after it is stored (issue 15): its first confirmation by a page, a
/// person's accept, the log of those events that publishers' receipts are read from, and the
/// escalation obligation of an order nobody accepts in time. Implemented by every store beside
/// <see cref="IOrderStore"/>, so the facts are as durable as the orders themselves.
/// </summary>
internal interface IOrderTracking
{
    /// <summary>What is kept about one order; null when the seq was never assigned or is no longer kept.</summary>
    ValueTask<TrackedOrder?> FindOrderAsync(long seq, CancellationToken cancellationToken);

    /// <summary>The seq an idempotency key was accepted under, while its order is kept.</summary>
    ValueTask<long?> FindSeqOfKeyAsync(string idempotencyKey, CancellationToken cancellationToken);

    /// <summary>
    /// Records a person's accept of a kept order: the first one sets <c>merchant_accepted_at</c>,
    /// logs an event and drops the escalation obligation; later ones change nothing. Answers the
    /// order as it now stands, or null when it is not kept.
    /// </summary>
    ValueTask<TrackedOrder?> AcceptAsync(long seq, DateTimeOffset acceptedAt, CancellationToken cancellationToken);

    /// <summary>The oldest cursor still kept and the newest ever handed out (0 when none was).</summary>
    ValueTask<EventLogBounds> ReadEventBoundsAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Up to <paramref name="maxCount"/> logged events after <paramref name="afterCursor"/>, in
    /// cursor order; only those of orders <paramref name="publisher"/> published, and only those
    /// of <paramref name="kind"/>, when set.
    /// </summary>
    ValueTask<IReadOnlyList<OrderEvent>> ReadEventsAfterAsync(long afterCursor, string? publisher, OrderEventKind? kind, int maxCount,
        CancellationToken cancellationToken);

    /// <summary>
    /// Completes when events may have been logged since it was taken (by this node or, for a shared
    /// store, another). Take it before reading, so an event logged in between is not waited for.
    /// </summary>
    Task NextEventsLogged { get; }

    /// <summary>
    /// Takes up to <paramref name="maxCount"/> escalations due by <paramref name="now"/> and holds each
    /// for <paramref name="lease"/>: no other claim (on any node) gets it before the lease ends, and
    /// one not completed by then is due again.
    /// </summary>
    ValueTask<IReadOnlyList<EscalationDue>> ClaimDueEscalationsAsync(DateTimeOffset now, TimeSpan lease, int maxCount, CancellationToken cancellationToken);

    /// <summary>The webhook took the escalation: the obligation ends and the order's <c>escalated_at</c> is set.</summary>
    ValueTask CompleteEscalationAsync(long seq, DateTimeOffset escalatedAt, CancellationToken cancellationToken);

    /// <summary>The webhook did not take it: due again at <paramref name="nextAttemptAt"/>.</summary>
    ValueTask RetryEscalationAsync(long seq, DateTimeOffset nextAttemptAt, CancellationToken cancellationToken);

    /// <summary>
    /// For each cutoff, how many orders still owed an escalation were accepted by the relay at or
    /// before it (for the metric of unaccepted orders by age).
    /// </summary>
    ValueTask<long[]> CountPendingEscalationsAsync(IReadOnlyList<DateTimeOffset> acceptedBy, CancellationToken cancellationToken);
}

/// <summary>One order as the order system asks after it (<c>GET /orders/…</c>).</summary>
internal sealed record TrackedOrder(
    long Seq,
    string? IdempotencyKey,
    string? MerchantId,
    DateTimeOffset AcceptedAt,
    int OnlineAtAcceptance,
    DateTimeOffset? ConfirmedAt,
    DateTimeOffset? MerchantAcceptedAt,
    DateTimeOffset? EscalatedAt);

/// <param name="FirstKept">The oldest event still kept; <paramref name="Last"/> plus one when none is.</param>
internal readonly record struct EventLogBounds(long FirstKept, long Last);

internal enum OrderEventKind
{
    /// <summary>A page of the order's merchant acknowledged it (an ack with its seq or a later one).</summary>
    Confirmed = 1,

    /// <summary>A person pressed Accept on a page of its merchant.</summary>
    MerchantAccepted = 2,
}

/// <summary>One logged event; <see cref="Cursor"/> grows by one per event across the journal.</summary>
internal sealed record OrderEvent(long Cursor, OrderEventKind Kind, long Seq, string? IdempotencyKey, string? MerchantId, string? Publisher, DateTimeOffset At);

/// <summary>An escalation claimed for sending, with what the webhook body says of the order.</summary>
internal sealed record EscalationDue(long Seq, string? IdempotencyKey, string? MerchantId, DateTimeOffset AcceptedAt, DateTimeOffset? ConfirmedAt,
    int Attempt, byte[]? Order);
