using System.Diagnostics;
using OrderRelay.Protocol;

namespace OrderRelay.Core;

/// <summary>
/// One accepted order with its delivery frame encoded once, at acceptance, and shared
/// by every subscriber it is sent to.
/// </summary>
internal sealed class OrderRecord : OutboundFrame
{
    private readonly int _orderOffset;
    private readonly int _orderLength;
    private int _deliveries;

    private OrderRecord(long seq, string? merchantId, string? idempotencyKey, DateTimeOffset acceptedAt,
        byte[] frame, int orderOffset, int orderLength)
    {
        Seq = seq;
        MerchantId = merchantId;
        IdempotencyKey = idempotencyKey;
        AcceptedAt = acceptedAt;
        Frame = frame;
        _orderOffset = orderOffset;
        _orderLength = orderLength;
        AcceptedTimestamp = Stopwatch.GetTimestamp();
    }

    public long Seq { get; }

    /// <summary>The routing key, normalised to a string; null when the order carries none.</summary>
    public string? MerchantId { get; }

    public string? IdempotencyKey { get; }

    public DateTimeOffset AcceptedAt { get; }

    /// <summary>Stopwatch timestamp taken when this process accepted or loaded the order, for latency metrics.</summary>
    public long AcceptedTimestamp { get; }

    /// <summary>The complete <c>order</c> delivery frame, UTF-8 JSON.</summary>
    public byte[] Frame { get; }

    /// <summary>The order object exactly as the publisher sent it.</summary>
    public ReadOnlyMemory<byte> Order => Frame.AsMemory(_orderOffset, _orderLength);

    /// <summary>How many times this node wrote the order to a subscriber socket (live and replayed from the recent ring).</summary>
    public int Deliveries => Volatile.Read(ref _deliveries);

    /// <summary>Called by connections after each write, concurrently.</summary>
    public void CountDelivery() => Interlocked.Increment(ref _deliveries);

    /// <summary>Delivery bookkeeping for the order's merchant; set by the relay at fan-out.</summary>
    public MerchantActivity? Merchant { get; set; }

    public static OrderRecord Create(long seq, DateTimeOffset acceptedAt, string? merchantId, string? idempotencyKey,
        ReadOnlySpan<byte> order)
    {
        var frame = OrderFrameEncoder.Encode(seq, merchantId, acceptedAt, order, out var orderOffset);
        return new OrderRecord(seq, merchantId, idempotencyKey, acceptedAt, frame, orderOffset, order.Length);
    }
}
