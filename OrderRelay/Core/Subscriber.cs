namespace OrderRelay.Core;

/// <summary>A subscriber connection as the relay core sees it: what it wants and where to put it.</summary>
internal sealed class Subscriber(string connectionId, MerchantFilter filter, OutboundQueue queue)
{
    public string ConnectionId { get; } = connectionId;

    public MerchantFilter Filter { get; } = filter;

    public OutboundQueue Queue { get; } = queue;
}
