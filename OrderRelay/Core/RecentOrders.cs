using OrderRelay.Protocol;

namespace OrderRelay.Core;

/// <summary>
/// The newest fanned-out orders, kept so a catching-up subscriber can take the last
/// stretch before going live under the fan-out lock, without touching the store there.
/// Not thread-safe: the relay guards it with its fan-out lock.
/// </summary>
internal sealed class RecentOrders(int capacity)
{
    private readonly OrderRecord[] _ring = new OrderRecord[capacity];
    private int _start;
    private int _count;

    /// <summary>Every order with a seq above this floor is in the ring.</summary>
    public long FloorSeq { get; private set; }

    public void Reset(long newestSeq)
    {
        Array.Clear(_ring);
        _start = 0;
        _count = 0;
        FloorSeq = newestSeq;
    }

    public void Add(OrderRecord record)
    {
        if (_count == _ring.Length)
        {
            FloorSeq = _ring[_start].Seq;
            _ring[_start] = record;
            _start = (_start + 1) % _ring.Length;
            return;
        }

        _ring[(_start + _count) % _ring.Length] = record;
        _count++;
    }

    /// <summary>
    /// Adds to <paramref name="into"/> every kept order after <paramref name="afterSeq"/> that
    /// <paramref name="filter"/> allows; false when some of them have already left the ring.
    /// </summary>
    public bool TryCollectAfter(long afterSeq, MerchantFilter filter, List<OrderRecord> into)
    {
        if (afterSeq < FloorSeq)
        {
            return false;
        }

        for (var i = 0; i < _count; i++)
        {
            var record = _ring[(_start + i) % _ring.Length];
            if (record.Seq > afterSeq && filter.Allows(record.MerchantId))
            {
                into.Add(record);
            }
        }

        return true;
    }

    public OrderRecord? Find(long seq)
    {
        for (var i = _count - 1; i >= 0; i--)
        {
            var record = _ring[(_start + i) % _ring.Length];
            if (record.Seq == seq)
            {
                return record;
            }

            if (record.Seq < seq)
            {
                break;
            }
        }

        return null;
    }
}
