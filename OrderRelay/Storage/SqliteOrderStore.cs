using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;
using OrderRelay.Configuration;
using OrderRelay.Protocol;

namespace OrderRelay.Storage;

/// <summary>
/// The durable order journal: one SQLite file in WAL mode. One writer connection with prepared
/// statements takes each sequencer batch in a single transaction (group commit); replays read
/// through pooled connections of their own, which WAL lets run beside the writer. Retention and
/// confirmation flushing run in the background (<c>SqliteOrderStore.Maintenance.cs</c>).
/// </summary>
internal sealed partial class SqliteOrderStore : IOrderStore
{
    /// <summary>The WAL file is truncated back to this size after a checkpoint has emptied it.</summary>
    private const long WalSizeLimitBytes = 64L * 1024 * 1024;

    private readonly SqliteOptions _options;
    private readonly HistoryOptions _history;
    private readonly EscalationOptions _escalation;
    private readonly int _merchantLimit;
    private readonly TimeProvider _time;
    private readonly ILogger<SqliteOrderStore> _logger;
    private readonly string _path;

    // The writer connection and its statements belong to whoever holds this gate: the
    // sequencer's appends, the pruner's deletes, confirmation flushes and health probes.
    private readonly SemaphoreSlim _writeGate = new(1, 1);
    private readonly CancellationTokenSource _stopping = new();
    private JournalFileLock? _fileLock;
    private SqliteConnection? _writer;
    private JournalStatements? _statements;
    private string _readerConnectionString = "";
    private Task _maintenance = Task.CompletedTask;

    private long _lastSeq;
    private long _committedLastSeq;
    private int _disposed;
    private long _firstRetainedSeq;
    private volatile bool _writesFailing;

    public SqliteOrderStore(RelayOptions options, TimeProvider time, ILogger<SqliteOrderStore> logger)
    {
        _options = options.Sqlite;
        _history = options.History;
        _escalation = options.Escalation;
        _merchantLimit = options.MerchantLimit;
        _time = time;
        _logger = logger;
        _path = System.IO.Path.GetFullPath(options.Sqlite.Path);
    }

    public long FirstRetainedSeq => Volatile.Read(ref _firstRetainedSeq);

    public ValueTask<JournalState> OpenAsync(CancellationToken cancellationToken)
    {
        CreateDirectory();
        _fileLock = JournalFileLock.Acquire(_path);
        string epoch;
        try
        {
            _writer = OpenConnection(SqliteOpenMode.ReadWriteCreate, pooling: false);
            var journalMode = Convert.ToString(Scalar(_writer, "PRAGMA journal_mode = WAL"), System.Globalization.CultureInfo.InvariantCulture);
            if (!string.Equals(journalMode, "wal", StringComparison.OrdinalIgnoreCase))
            {
                throw new InvalidDataException($"the file cannot be put in WAL mode (journal_mode is '{journalMode}')");
            }

            // In WAL mode NORMAL syncs at checkpoints, not at every commit: a committed transaction
            // survives a crash of the process, not necessarily a power cut (docs/storage.md).
            Scalar(_writer, "PRAGMA synchronous = NORMAL");
            // Checkpoints (copying the WAL into the file, with fsyncs) run in the background
            // maintenance loop, not in the commit of whichever batch crosses the threshold.
            Scalar(_writer, "PRAGMA wal_autocheckpoint = 0");
            Scalar(_writer, $"PRAGMA journal_size_limit = {WalSizeLimitBytes}");
            SqliteJournalSchema.Migrate(_writer);
            _statements = new JournalStatements(_writer);
            _tracking = new SqliteTrackingStatements(_writer);
            epoch = _statements.ReadOrCreateEpoch(JournalState.NewEpoch());
            _lastSeq = _committedLastSeq = _statements.ReadLastSeq();
            _firstRetainedSeq = _statements.ReadFirstSeq() ?? _lastSeq + 1;
            CountPendingEscalations();
            // Proves the file takes writes now rather than at the first publish (read-only file, locked by another process).
            _statements.ProbeWrite();
        }
        catch (Exception ex) when (ex is SqliteException or InvalidDataException)
        {
            CloseWriter();
            _fileLock.Dispose();
            _fileLock = null;
            throw new RelayStartupException($"Relay:Sqlite:Path '{_path}' cannot be used as the order journal: {ex.Message}", ex);
        }

        _readerConnectionString = ConnectionString(SqliteOpenMode.ReadWrite, pooling: true);
        _maintenance = Task.Run(() => MaintainAsync(_stopping.Token), CancellationToken.None);
        LogOpened(_path, epoch, _lastSeq, _firstRetainedSeq);
        return ValueTask.FromResult(new JournalState(epoch, _lastSeq));
    }

    /// <summary>
    /// Decides the whole batch in one transaction: each order is inserted with the next seq unless
    /// its idempotency key is already kept, in which case the earlier seq is reported. A failure
    /// rolls everything back and hands the seqs out again. Nothing is encoded here: the
    /// transaction holds the write gate for the inserts alone.
    /// </summary>
    public async ValueTask AppendAsync(IReadOnlyList<JournalEntry> entries, DateTimeOffset acceptedAt, AppendResult[] results, CancellationToken cancellationToken)
    {
        await _writeGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        var seqBefore = _lastSeq;
        try
        {
            // JournalStatements.InTransaction written out: on the publish path its closures would be allocated for every batch.
            var statements = _statements!;
            statements.Begin();
            try
            {
                for (var i = 0; i < entries.Count; i++)
                {
                    var entry = entries[i];
                    if (statements.TryInsertOrder(_lastSeq + 1, acceptedAt, entry))
                    {
                        _lastSeq++;
                        results[i] = AppendResult.Accepted(_lastSeq, escalationRefused: !OweEscalation(_lastSeq, acceptedAt, entry));
                    }
                    else
                    {
                        results[i] = AppendResult.DuplicateOf(statements.FindSeqOfKey(entry.IdempotencyKey!));
                    }
                }

                statements.Commit();
            }
            catch
            {
                _lastSeq = seqBefore;
                statements.RollBackIfOpen();
                CountPendingEscalations();
                throw;
            }

            Volatile.Write(ref _committedLastSeq, _lastSeq);
            MarkWritesSucceeded();
        }
        catch (SqliteException ex)
        {
            MarkWritesFailing(ex);
            throw;
        }
        finally
        {
            _writeGate.Release();
        }
    }

    public async ValueTask<ReplayPage> ReadAfterAsync(long afterSeq, MerchantFilter filter, int maxCount, CancellationToken cancellationToken)
    {
        // Everything committed by now is in the snapshot the query reads, so when the page is not
        // full the scan has covered at least up to here.
        var committed = Volatile.Read(ref _committedLastSeq);
        var found = new List<StoredOrder>();
        if (afterSeq >= committed)
        {
            return new ReplayPage(found, afterSeq);
        }

        using var connection = new SqliteConnection(_readerConnectionString);
        await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
        using var command = JournalStatements.CreateReadAfter(connection, afterSeq, filter, maxCount);
        using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            found.Add(JournalStatements.ReadOrder(reader));
        }

        var scannedThrough = found.Count == maxCount ? found[^1].Seq : Math.Max(afterSeq, committed);
        return new ReplayPage(found, scannedThrough);
    }

    public async ValueTask<bool> IsHealthyAsync(CancellationToken cancellationToken)
    {
        if (!_writesFailing)
        {
            return true;
        }

        // A failing store turns healthy again only by taking a write.
        await _writeGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            _statements!.ProbeWrite();
            MarkWritesSucceeded();
            return true;
        }
        catch (SqliteException ex)
        {
            MarkWritesFailing(ex);
            return false;
        }
        finally
        {
            _writeGate.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        // Registered as the store and as its order tracking, so the container disposes it twice.
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        await _stopping.CancelAsync().ConfigureAwait(false);
        await _maintenance.ConfigureAwait(false);
        if (_writer is not null)
        {
            try
            {
                await FlushConfirmationsAsync(CancellationToken.None).ConfigureAwait(false);
            }
            catch (SqliteException ex)
            {
                LogMaintenanceFailed(ex, _path);
            }
        }

        CloseWriter();
        if (_readerConnectionString.Length > 0)
        {
            using var pooled = new SqliteConnection(_readerConnectionString);
            SqliteConnection.ClearPool(pooled);
        }

        _fileLock?.Dispose();
        _stopping.Dispose();
        _writeGate.Dispose();
        _pruneGate.Dispose();
    }

    private void CreateDirectory()
    {
        try
        {
            Directory.CreateDirectory(System.IO.Path.GetDirectoryName(_path)!);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new RelayStartupException($"Relay:Sqlite:Path '{_path}': its directory cannot be created: {ex.Message}", ex);
        }
    }

    private SqliteConnection OpenConnection(SqliteOpenMode mode, bool pooling)
    {
        var connection = new SqliteConnection(ConnectionString(mode, pooling));
        connection.Open();
        return connection;
    }

    private string ConnectionString(SqliteOpenMode mode, bool pooling) => new SqliteConnectionStringBuilder
    {
        DataSource = _path,
        Mode = mode,
        Pooling = pooling,
        DefaultTimeout = (int)Math.Ceiling(_options.BusyTimeout.TotalSeconds),
    }.ToString();

    private void CloseWriter()
    {
        _tracking?.Dispose();
        _tracking = null;
        _statements?.Dispose();
        _statements = null;
        _writer?.Dispose();
        _writer = null;
    }

    private void MarkWritesSucceeded()
    {
        if (_writesFailing)
        {
            _writesFailing = false;
            LogWritesRecovered(_path);
        }
    }

    private void MarkWritesFailing(SqliteException ex)
    {
        if (!_writesFailing)
        {
            _writesFailing = true;
            LogWritesFailing(ex, _path);
        }
    }

    private static object? Scalar(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return command.ExecuteScalar();
    }
}
