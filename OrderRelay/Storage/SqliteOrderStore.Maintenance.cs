using Microsoft.Data.Sqlite;

namespace OrderRelay.Storage;

/// <summary>
/// Background work that must never hold up a publish: retention (by age and by count, in short
/// transactions so appends interleave) and writing merchants' confirmations, which arrive one by
/// one and are written together about once a second.
/// </summary>
internal sealed partial class SqliteOrderStore
{
    private const int PruneChunkOrders = 10_000;
    private static readonly TimeSpan MaintenanceInterval = TimeSpan.FromSeconds(1);

    private readonly SemaphoreSlim _pruneGate = new(1, 1);
    private readonly Lock _confirmationsLock = new();
    private Dictionary<string, MerchantConfirmation> _pendingConfirmations = new(StringComparer.Ordinal);
    private Dictionary<string, MerchantConfirmation> _flushingConfirmations = new(StringComparer.Ordinal);

    public async ValueTask RecordConfirmationAsync(string merchantId, long seq, DateTimeOffset confirmedAt, CancellationToken cancellationToken)
    {
        bool flushNow;
        lock (_confirmationsLock)
        {
            KeepNewer(_pendingConfirmations, merchantId, new MerchantConfirmation(seq, confirmedAt));
            flushNow = _pendingConfirmations.Count >= _merchantLimit;
        }

        if (flushNow)
        {
            await FlushConfirmationsAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    public async ValueTask<MerchantConfirmation?> GetConfirmationAsync(string merchantId, CancellationToken cancellationToken)
    {
        MerchantConfirmation? unwritten;
        lock (_confirmationsLock)
        {
            unwritten = _pendingConfirmations.GetValueOrDefault(merchantId) ?? _flushingConfirmations.GetValueOrDefault(merchantId);
        }

        using var connection = new SqliteConnection(_readerConnectionString);
        await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT seq, confirmed_at FROM confirmations WHERE merchant_id = $merchantId";
        command.Parameters.AddWithValue("$merchantId", merchantId);
        using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        var stored = await reader.ReadAsync(cancellationToken).ConfigureAwait(false)
            ? new MerchantConfirmation(reader.GetInt64(0), DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(1)))
            : null;
        return unwritten is not null && (stored is null || unwritten.Seq > stored.Seq) ? unwritten : stored;
    }

    /// <summary>One round of background work; the loop runs it every second, tests may run it directly.</summary>
    internal async Task RunMaintenanceAsync(CancellationToken cancellationToken)
    {
        await FlushConfirmationsAsync(cancellationToken).ConfigureAwait(false);
        await PruneAsync(cancellationToken).ConfigureAwait(false);
        await CheckpointAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Copies committed WAL frames into the database file from a connection of its own. PASSIVE never
    /// waits for the writer, so appends carry on meanwhile; the WAL restarts from its beginning once
    /// a checkpoint has copied all of it.
    /// </summary>
    private async Task CheckpointAsync(CancellationToken cancellationToken)
    {
        using var connection = new SqliteConnection(_readerConnectionString);
        await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
        using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA wal_checkpoint(PASSIVE)";
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    private async Task MaintainAsync(CancellationToken stopping)
    {
        using var timer = new PeriodicTimer(MaintenanceInterval, _time);
        try
        {
            while (await timer.WaitForNextTickAsync(stopping).ConfigureAwait(false))
            {
                try
                {
                    await RunMaintenanceAsync(stopping).ConfigureAwait(false);
                }
                catch (SqliteException ex)
                {
                    // Publishes report the store's state; retention simply tries again next round.
                    LogMaintenanceFailed(ex, _path);
                }
            }
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
            // The store is closing.
        }
    }

    /// <summary>
    /// Removes, oldest first, the orders beyond <c>History:MaxOrders</c> or older than <c>History:MaxAge</c>.
    /// <see cref="FirstRetainedSeq"/> moves before each delete commits, so a subscriber is never told
    /// that orders are replayable while they are being deleted.
    /// </summary>
    private async Task PruneAsync(CancellationToken cancellationToken)
    {
        await _pruneGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var committed = Volatile.Read(ref _committedLastSeq);
            if (FirstRetainedSeq > committed)
            {
                return;
            }

            var target = Math.Max(committed - _history.MaxOrders, await FindLastExpiredSeqAsync(committed, cancellationToken).ConfigureAwait(false));
            while (target >= FirstRetainedSeq)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var first = FirstRetainedSeq;
                var through = Math.Min(target, first + PruneChunkOrders - 1);
                await _writeGate.WaitAsync(cancellationToken).ConfigureAwait(false);
                try
                {
                    Volatile.Write(ref _firstRetainedSeq, through + 1);
                    var deleted = _statements!.DeleteOrdersThrough(through);
                    LogPruned(deleted, through);
                }
                catch
                {
                    Volatile.Write(ref _firstRetainedSeq, first);
                    throw;
                }
                finally
                {
                    _writeGate.Release();
                }
            }
        }
        finally
        {
            _pruneGate.Release();
        }
    }

    /// <summary>The newest seq past <c>History:MaxAge</c>; 0 when none is.</summary>
    private async Task<long> FindLastExpiredSeqAsync(long committed, CancellationToken cancellationToken)
    {
        using var connection = new SqliteConnection(_readerConnectionString);
        await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
        using var command = connection.CreateCommand();
        // Scans from the oldest order and stops at the first one young enough: it reads only what is about to go.
        command.CommandText = "SELECT seq FROM orders WHERE accepted_at >= $cutoff ORDER BY seq LIMIT 1";
        command.Parameters.AddWithValue("$cutoff", (_time.GetUtcNow() - _history.MaxAge).ToUnixTimeMilliseconds());
        var firstYoung = await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false);
        return firstYoung is long seq ? seq - 1 : committed;
    }

    private async Task FlushConfirmationsAsync(CancellationToken cancellationToken)
    {
        lock (_confirmationsLock)
        {
            if (_pendingConfirmations.Count == 0)
            {
                return;
            }
        }

        // Taken before the swap, so that one flush at a time owns the flushing dictionary.
        await _writeGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        Dictionary<string, MerchantConfirmation> flushing;
        lock (_confirmationsLock)
        {
            flushing = _pendingConfirmations;
            _pendingConfirmations = _flushingConfirmations;
            _flushingConfirmations = flushing;
        }

        try
        {
            if (flushing.Count == 0)
            {
                return;
            }

            var statements = _statements!;
            statements.InTransaction(
                () =>
                {
                    foreach (var (merchantId, confirmation) in flushing)
                    {
                        ConfirmOrdersThrough(merchantId, confirmation);
                        statements.UpsertConfirmation(merchantId, confirmation);
                    }

                    statements.TrimConfirmations(_merchantLimit);
                },
                undo: () =>
                {
                    lock (_confirmationsLock)
                    {
                        foreach (var (merchantId, confirmation) in flushing)
                        {
                            KeepNewer(_pendingConfirmations, merchantId, confirmation);
                        }
                    }
                });
            _eventsLogged.Pulse();
        }
        finally
        {
            lock (_confirmationsLock)
            {
                flushing.Clear();
            }

            _writeGate.Release();
        }
    }

    private static void KeepNewer(Dictionary<string, MerchantConfirmation> confirmations, string merchantId, MerchantConfirmation confirmation)
    {
        if (!confirmations.TryGetValue(merchantId, out var existing) || confirmation.Seq > existing.Seq)
        {
            confirmations[merchantId] = confirmation;
        }
    }
}
