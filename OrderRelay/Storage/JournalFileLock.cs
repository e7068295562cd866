using OrderRelay.Configuration;

namespace OrderRelay.Storage;

/// <summary>
/// An exclusive lock on <c>&lt;database&gt;.lock</c>, held while a relay owns the journal. SQLite in WAL
/// mode lets several processes write one file; two relays doing so would hand out the same seqs,
/// so a second one must refuse to start. The operating system drops the lock when the process dies,
/// so a crash never leaves a stale lock behind.
/// </summary>
internal sealed class JournalFileLock : IDisposable
{
    private readonly FileStream _lockFile;

    private JournalFileLock(FileStream lockFile) => _lockFile = lockFile;

    public static JournalFileLock Acquire(string databasePath)
    {
        var lockPath = databasePath + ".lock";
        try
        {
            // FileShare.None takes an exclusive advisory lock (flock) on Unix and a share lock on Windows.
            return new JournalFileLock(new FileStream(lockPath, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None));
        }
        catch (UnauthorizedAccessException ex)
        {
            throw new RelayStartupException(
                $"Relay:Sqlite:Path '{databasePath}' cannot be written by this user ({Environment.UserName}): {ex.Message}", ex);
        }
        catch (IOException ex)
        {
            throw new RelayStartupException(
                $"Relay:Sqlite:Path '{databasePath}' cannot be locked for this relay (is another relay using it?): {ex.Message}", ex);
        }
    }

    public void Dispose() => _lockFile.Dispose();
}
