using OrderRelay.Protocol;

namespace OrderRelay.Core;

/// <summary>A subscriber connection as the relay core sees it: what it wants and where to put it.</summary>
/// <param name="epoch">The epoch its welcome named; its seqs mean something only in that epoch.</param>
/// <param name="epochEnded">
/// Called once with <paramref name="owner"/>, off the fan-out lock, when the cluster takes a new
/// epoch: the connection must tell its client and close, since seqs of the old epoch are not
/// continued. A static callback and its state rather than a closure: every idle subscriber holds it.
/// </param>
internal sealed class Subscriber(string connectionId, MerchantFilter filter, OutboundQueue queue, string epoch = "",
    Action<object>? epochEnded = null, object? owner = null)
{
    public string ConnectionId { get; } = connectionId;

    public MerchantFilter Filter { get; } = filter;

    public OutboundQueue Queue { get; } = queue;

    public string Epoch { get; } = epoch;

    public void EndEpoch() => epochEnded?.Invoke(owner!);
}
