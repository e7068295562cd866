namespace OrderRelay.Storage;

/// <summary>
/// What this node knows of the shared journal: the epoch it follows and the newest seq it has
/// seen in it (from its appends and its feed alike), and an epoch change not yet announced
/// by the feed. Shared by the sequencer and the feed, so guarded.
/// </summary>
internal sealed class RedisJournalPosition
{
    private readonly Lock _lock = new();
    private string _epoch = "";
    private long _seen;
    private EpochChange? _unannounced;

    public (string Epoch, long Seen) Position
    {
        get
        {
            lock (_lock)
            {
                return (_epoch, _seen);
            }
        }
    }

    public void Open(string epoch, long lastSeq)
    {
        lock (_lock)
        {
            _epoch = epoch;
            _seen = lastSeq;
        }
    }

    public void Saw(long seq)
    {
        lock (_lock)
        {
            _seen = Math.Max(_seen, seq);
        }
    }

    /// <summary>Follows <paramref name="epoch"/> from seq 0; a change to the epoch already followed changes nothing.</summary>
    public void Adopt(string epoch)
    {
        lock (_lock)
        {
            if (epoch == _epoch)
            {
                return;
            }

            // Announced once with the newest seq seen in the epoch that ended, however many epochs passed since.
            _unannounced = new EpochChange(epoch, _unannounced?.LastSeqSeen ?? _seen);
            _epoch = epoch;
            _seen = 0;
        }
    }

    /// <summary>The change to announce, once.</summary>
    public EpochChange? TakeChange()
    {
        lock (_lock)
        {
            var change = _unannounced;
            _unannounced = null;
            return change;
        }
    }
}
