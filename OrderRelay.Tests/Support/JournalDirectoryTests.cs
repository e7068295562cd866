namespace OrderRelay.Tests.Support;

/// <summary>Tests of a journal file that outlives one relay (restarts, crashes): a fresh directory for each test.</summary>
public abstract class JournalDirectoryTests
{
    private protected TempDirectory Directory { get; private set; } = null!;

    private protected string DatabasePath => Directory.File("journal.db");

    [SetUp]
    public void CreateDirectory() => Directory = new TempDirectory();

    [TearDown]
    public void DeleteDirectory() => Directory.Dispose();
}
