using System.Diagnostics;
using OrderRelay.Protocol;
using OrderRelay.Storage;

namespace OrderRelay.Core;

/// <summary>
/// One accepted order with its delivery frame encoded once, as the core takes it from the store, and shared
/// by every subscriber it is sent to.
/// </summary>
internal sealed class OrderRecord : OutboundFrame
{
    private readonly int _orderOffset;
    private readonly int _orderLength;
    private int _deliveries;

    private OrderRecord(long seq, string? merchantId, DateTimeOffset acceptedAt, byte[] frame, int orderOffset, int orderLength, long acceptedTimestamp)
    {
        Seq = seq;
        MerchantId = merchantId;
        AcceptedAt = acceptedAt;
        Frame = frame;
        _orderOffset = orderOffset;
        _orderLength = orderLength;
        AcceptedTimestamp = acceptedTimestamp;
    }

    public long Seq { get; }

    /// <summary>The routing key, normalised to a string; null when the order carries none.</summary>
    public string? MerchantId { get; }

    public DateTimeOffset AcceptedAt { get; }

    /// <summary>Stopwatch timestamp taken when this process accepted or loaded the order, for latency metrics.</summary>
    public long AcceptedTimestamp { get; }

    /// <summary>The complete <c>order</c> delivery frame, UTF-8 JSON.</summary>
    public byte[] Frame { get; }

    /// <summary>The order object exactly as the publisher sent it.</summary>
    public ReadOnlyMemory<byte> Order => Frame.AsMemory(_orderOffset, _orderLength);

    /// <summary>How many times this node wrote the order to a subscriber socket (live and replayed from the recent ring).</summary>
    public int Deliveries => Volatile.Read(ref _deliveries);

    /// <summary>
    /// Called by a connection, concurrently with others, after each write of the order to a page
    /// (a v1 subscriber or a seed page alike): counts the delivery for order status and moves its
    /// merchant's newest delivered seq.
    /// </summary>
    public void NoteWritten()
    {
        Interlocked.Increment(ref _deliveries);
        Merchant?.MarkDelivered(Seq);
    }

    /// <summary>Delivery bookkeeping for the order's merchant; set by the relay at fan-out.</summary>
    public MerchantActivity? Merchant { get; set; }

    /// <summary>Encodes the order's frame: the one place an <c>order</c> frame is made, live or replayed.</summary>
    /// <param name="acceptedTimestamp">The <see cref="Stopwatch"/> timestamp of its acceptance, for <see cref="AcceptedTimestamp"/>.</param>
    public static OrderRecord Create(long seq, DateTimeOffset acceptedAt, string? merchantId, ReadOnlySpan<byte> order, long acceptedTimestamp)
    {
        var frame = OrderFrameEncoder.Encode(seq, merchantId, acceptedAt, order, out var orderOffset);
        return new OrderRecord(seq, merchantId, acceptedAt, frame, orderOffset, order.Length, acceptedTimestamp);
    }

    /// <summary>An order loaded from the store (replayed, or read from a shared store's feed), as loaded now.</summary>
    public static OrderRecord Create(StoredOrder stored) =>
        Create(stored.Seq, stored.AcceptedAt, stored.MerchantId, stored.Order, Stopwatch.GetTimestamp());
}
