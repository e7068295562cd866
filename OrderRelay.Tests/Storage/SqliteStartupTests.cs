using Microsoft.Data.Sqlite;
using OrderRelay.Configuration;
using OrderRelay.Tests.Support;

namespace OrderRelay.Tests.Storage;

[CancelAfter(30_000)]
public sealed class SqliteStartupTests
{
    private StoreFixture _fixture = null!;

    [SetUp]
    public void CreateFixture() => _fixture = new StoreFixture();

    [TearDown]
    public void DeleteFixture() => _fixture.Dispose();

    [Test]
    public async Task Open_GarbageFile_StartupErrorNamingPath()
    {
        var garbage = new byte[8192];
        new Random(42).NextBytes(garbage);
        await File.WriteAllBytesAsync(_fixture.DatabasePath, garbage);

        var error = await OpenFailsAsync();

        Assert.That(error.Message, Does.Contain(_fixture.DatabasePath).And.Contain("not a database"));
        Assert.That(await File.ReadAllBytesAsync(_fixture.DatabasePath), Is.EqualTo(garbage), "the file is left as it was");
    }

    [Test]
    public async Task Open_OtherApplicationsDatabase_StartupError()
    {
        await using (var foreign = new SqliteConnection($"Data Source={_fixture.DatabasePath};Pooling=False"))
        {
            await foreign.OpenAsync();
            await using var create = foreign.CreateCommand();
            create.CommandText = "CREATE TABLE invoices (id INTEGER PRIMARY KEY)";
            await create.ExecuteNonQueryAsync();
        }

        var error = await OpenFailsAsync();

        Assert.That(error.Message, Does.Contain(_fixture.DatabasePath).And.Contain("not an OrderRelay journal"));
    }

    [Test]
    public async Task Open_NewerSchemaVersion_StartupError()
    {
        await (await _fixture.OpenAsync()).DisposeAsync();
        await using (var newer = new SqliteConnection($"Data Source={_fixture.DatabasePath};Pooling=False"))
        {
            await newer.OpenAsync();
            await using var bump = newer.CreateCommand();
            bump.CommandText = "PRAGMA user_version = 99";
            await bump.ExecuteNonQueryAsync();
        }

        var error = await OpenFailsAsync();

        Assert.That(error.Message, Does.Contain(_fixture.DatabasePath).And.Contain("schema version 99"));
    }

    [Test]
    public async Task Open_DirectoryCannotBeCreated_StartupErrorNamingPath()
    {
        // A regular file where the directory should be: refused for root too, unlike permission bits.
        var blocker = _fixture.Directory.File("not-a-directory");
        await File.WriteAllTextAsync(blocker, "");
        var path = Path.Combine(blocker, "journal.db");

        var error = await OpenFailsAsync(path);

        Assert.That(error.Message, Does.Contain(path).And.Contain("directory"));
    }

    [Test]
    public async Task Open_FileUsedByAnotherRelay_StartupErrorNamingPath()
    {
        await using var owner = await _fixture.OpenAsync();

        var error = await OpenFailsAsync();

        Assert.That(error.Message, Does.Contain(_fixture.DatabasePath).And.Contain("another relay"));
    }

    [Test]
    public async Task Open_WriteLockHeldByAnotherProcess_StartupErrorNamingPath()
    {
        await (await _fixture.OpenAsync()).DisposeAsync();
        await using var holder = await WriteLockHolder.TakeAsync(_fixture.DatabasePath);

        var error = await OpenFailsAsync();

        Assert.That(error.Message, Does.Contain(_fixture.DatabasePath).And.Contain("locked"));
    }

    [Test]
    public async Task Relay_CorruptJournal_DoesNotStartNorFallBackToMemory()
    {
        await File.WriteAllTextAsync(_fixture.DatabasePath, "this is not a database, not even close; it is long enough to have a header");

        var error = Assert.ThrowsAsync<RelayStartupException>(() =>
            RelayServer.StartAsync("Relay:Store=sqlite", "Relay:Sqlite:Path=" + _fixture.DatabasePath));

        Assert.That(error!.Message, Does.Contain(_fixture.DatabasePath));
    }

    private async Task<RelayStartupException> OpenFailsAsync(string? path = null)
    {
        await using var store = _fixture.Create(options => options.Sqlite.Path = path ?? _fixture.DatabasePath);
        var error = Assert.ThrowsAsync<RelayStartupException>(async () => await store.OpenAsync(CancellationToken.None));
        return error!;
    }
}
