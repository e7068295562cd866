namespace OrderRelay.Status;

/// <summary>
/// The newest samples, oldest first, in a ring of fixed size: a status page opened late
/// still shows the last minutes, and a relay that runs for months holds no more.
/// </summary>
internal sealed class ActivityHistory(int capacity)
{
    private readonly ActivitySample[] _ring = new ActivitySample[capacity];
    private readonly Lock _lock = new();
    private int _next;
    private int _count;

    public int Capacity => _ring.Length;

    public void Add(ActivitySample sample)
    {
        lock (_lock)
        {
            _ring[_next] = sample;
            _next = (_next + 1) % _ring.Length;
            _count = Math.Min(_count + 1, _ring.Length);
        }
    }

    public ActivitySample[] Snapshot()
    {
        lock (_lock)
        {
            var samples = new ActivitySample[_count];
            var oldest = (_next - _count + _ring.Length) % _ring.Length;
            for (var i = 0; i < _count; i++)
            {
                samples[i] = _ring[(oldest + i) % _ring.Length];
            }

            return samples;
        }
    }
}
