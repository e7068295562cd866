using System.Runtime.CompilerServices;
using StackExchange.Redis;

namespace OrderRelay.Storage;

/// <summary>The feed: every node follows the stream, and notices when the journal lost orders or changed epoch.</summary>
internal sealed partial class RedisOrderStore
{
    public async IAsyncEnumerable<FeedEvent> FollowAsync(long afterSeq, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var cursor = afterSeq;
        var wasFailing = false;
        while (!cancellationToken.IsCancellationRequested)
        {
            if (_journal.TakeChange() is { } change)
            {
                cursor = 0;
                yield return new FeedEvent(null, change);
            }

            var (entries, journalChanged) = await TryReadEntriesAsync(cursor).ConfigureAwait(false);
            if (journalChanged)
            {
                // The change is announced first, at the top of the loop.
                continue;
            }

            if (entries is null)
            {
                if (!wasFailing)
                {
                    LogFeedInterrupted(cursor);
                }

                wasFailing = true;
                await Task.Delay(RetryDelay, cancellationToken).ConfigureAwait(false);
                continue;
            }

            if (wasFailing)
            {
                LogFeedResumed(cursor);
                wasFailing = false;
            }

            foreach (var entry in entries)
            {
                var order = ToStoredOrder(entry);
                cursor = order.Seq;
                yield return new FeedEvent(order, null);
            }

            _journal.Saw(cursor);

            if (entries.Length < PageSize)
            {
                await WaitForNewOrdersAsync(cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>
    /// The next page after <paramref name="afterSeq"/>, read in one round trip with the epoch
    /// and seq counter it belongs to; when those show the journal lost orders or changed epoch,
    /// the change is made or adopted instead. No entries when Redis fails.
    /// </summary>
    private async Task<(StreamEntry[]? Entries, bool JournalChanged)> TryReadEntriesAsync(long afterSeq)
    {
        try
        {
            var database = Database;
            var batch = database.CreateBatch();
            var reading = batch.StreamRangeAsync(_keys.Stream, minId: $"{afterSeq + 1}-0", maxId: "+", count: PageSize);
            // After the read in the same pipeline: an epoch still ours here was ours when the page was read.
            var epochAfter = batch.StringGetAsync(_keys.Epoch);
            var seqAfter = batch.StringGetAsync(_keys.Seq);
            batch.Execute();
            var entries = await reading.ConfigureAwait(false);
            var epoch = (string?)await epochAfter.ConfigureAwait(false);
            var seq = (long?)await seqAfter.ConfigureAwait(false) ?? 0;
            var known = _journal.Position.Epoch;
            if (epoch is null || (epoch == known && seq < afterSeq))
            {
                await StartNewEpochAsync(known).ConfigureAwait(false);
                return (null, true);
            }

            if (epoch != known)
            {
                _journal.Adopt(epoch);
                return (null, true);
            }

            await RefreshFirstRetainedAsync(database, afterSeq).ConfigureAwait(false);
            return (entries, false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // Besides RedisException, the client can surface pipe errors while it reconnects;
            // the feed must outlive every outage, so any failure here means "retry".
            return (null, false);
        }
    }

    /// <summary>
    /// Moves the cluster to a new epoch, or to the one another node already moved it to, and
    /// wakes this node's feed to announce it.
    /// </summary>
    private async Task StartNewEpochAsync(string knownEpoch)
    {
        var candidate = JournalState.NewEpoch();
        var agreed = (string?)await Database.ScriptEvaluateAsync(RedisScripts.StartEpoch, [_keys.Epoch, _keys.Seq, _keys.Stream, _keys.Confirmations, _keys.Escalations, _keys.EscalationAges],
            [knownEpoch, candidate, _keys.NewOrdersChannel.ToString()]).WaitAsync(_operationTimeout).ConfigureAwait(false);
        _journal.Adopt(agreed ?? candidate);
        _newOrders.Writer.TryWrite(true);
    }

    private async Task WaitForNewOrdersAsync(CancellationToken cancellationToken)
    {
        using var poll = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        poll.CancelAfter(PollInterval);
        try
        {
            await _newOrders.Reader.ReadAsync(poll.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            // No signal within the poll interval: look anyway, a signal may have been lost.
        }
    }
}
