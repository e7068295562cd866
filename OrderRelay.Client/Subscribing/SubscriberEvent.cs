using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace OrderRelay.Client;

/// <summary>What a <see cref="RelaySubscriber"/> yields: <see cref="OrderReceived"/>, <see cref="Connected"/> or <see cref="Disconnected"/>.</summary>
public abstract record SubscriberEvent;

/// <summary>
/// An order, in seq order with no gap and no duplicate within an epoch (as long as every
/// <see cref="Connected"/> says <see cref="Connected.Recovered"/>).
/// </summary>
/// <param name="Seq">The relay's sequence number; confirm it with <see cref="RelaySubscriber.ConfirmAsync"/> once shown.</param>
/// <param name="MerchantId">The order's routing key as text; null for an order without one.</param>
/// <param name="AcceptedAt">When the relay accepted the order.</param>
/// <param name="Order">The order exactly as its publisher wrote it (<see cref="JsonElement.GetRawText"/>).</param>
/// <param name="Epoch">The epoch <paramref name="Seq"/> belongs to.</param>
public sealed record OrderReceived(long Seq, string? MerchantId, DateTimeOffset AcceptedAt, JsonElement Order, string Epoch) : SubscriberEvent
{
    /// <summary>The order as <typeparamref name="T"/> (source-generated metadata, no reflection).</summary>
    public T? Deserialize<T>(JsonTypeInfo<T> typeInfo) => Order.Deserialize(typeInfo);
}

/// <summary>
/// The relay welcomed the subscriber, first or again after a drop. Orders it replays follow.
/// </summary>
/// <param name="Recovered">
/// False when the relay could not replay everything after the position the subscriber resumed
/// from (history pruned, or its epoch changed): orders may have been missed, so reload what you
/// show from the order system. The orders that follow are the whole history the relay still keeps.
/// </param>
/// <param name="EpochChanged">The relay's epoch differs from the one the subscriber knew: seqs started again.</param>
/// <param name="ResumedFrom">The seq sent as <c>since</c>; null when none was.</param>
/// <param name="Merchants">The merchants this connection receives; null for every merchant.</param>
public sealed record Connected(string ConnectionId, string Epoch, long Seq, bool Recovered, bool EpochChanged, long? ResumedFrom,
    IReadOnlyList<string>? Merchants) : SubscriberEvent;

/// <summary>The connection ended (<paramref name="Reason"/>); the subscriber reconnects after <paramref name="RetryIn"/>, resuming where it was.</summary>
public sealed record Disconnected(string Reason, TimeSpan RetryIn) : SubscriberEvent;
