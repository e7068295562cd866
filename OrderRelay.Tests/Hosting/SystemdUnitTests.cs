using System.Net;
using System.Net.Http.Headers;
using Microsoft.Data.Sqlite;
using OrderRelay.Tests.Support;

namespace OrderRelay.Tests.Hosting;

/// <summary>
/// samples/deploy/orderrelay.service: systemd's own checker finds nothing to say about it, and the
/// published binary started with exactly its environment and directories runs and journals where
/// the unit says. (No systemd runs here as PID 1, so the unit is not started by systemd itself.)
/// </summary>
[CancelAfter(60_000)]
public sealed class SystemdUnitTests
{
    private static readonly string UnitFile = RepositoryRoot.Combine("samples", "deploy", "orderrelay.service");

    private string _program = null!;

    [OneTimeSetUp]
    [CancelAfter(660_000)]
    public async Task PublishOnce() => _program = await PublishedRelay.PathAsync().WaitAsync(PublishedRelay.PublishTimeout + TimeSpan.FromMinutes(1));

    [Test]
    public async Task SystemdAnalyzeVerify_FindsNothingToReport()
    {
        using var directory = new TempDirectory();
        // verify checks that ExecStart is an executable file: point it at the published one; nothing else changes.
        var unit = directory.File("orderrelay.service");
        var text = await File.ReadAllTextAsync(UnitFile);
        Assert.That(text, Does.Contain("ExecStart=/opt/orderrelay/orderrelay\n"));
        await File.WriteAllTextAsync(unit, text.Replace("ExecStart=/opt/orderrelay/orderrelay\n", $"ExecStart={_program}\n", StringComparison.Ordinal));

        var result = await ExternalProcess.RunAsync("systemd-analyze", ["verify", unit]);

        Assert.That(result.ExitCode, Is.Zero, result.ToString());
        Assert.That((result.Output + result.Error).Trim(), Is.Empty, "systemd-analyze prints warnings (unknown keys, bad values) but still exits 0");
    }

    [Test]
    public async Task Relay_StartedWithTheUnitsEnvironment_ServesAndJournalsInItsStateDirectory()
    {
        using var root = new TempDirectory();
        var unit = SystemdUnit.Read(UnitFile, root.Path);
        Directory.CreateDirectory(Path.GetDirectoryName(unit.ExecStart)!);
        File.Copy(_program, unit.ExecStart);
        // /etc/orderrelay/secrets.env, as samples/deploy/README.md says to write it.
        Directory.CreateDirectory(root.File("etc/orderrelay"));
        await File.WriteAllTextAsync(root.File("etc/orderrelay/secrets.env"),
            "Relay__Auth__PublisherKeys__0=pk-unit-test-0123456789\nRelay__Auth__SubscriberSecret=subscriber-secret-of-at-least-32-bytes!\n");
        // The one change: port 0, as 8080 may be taken on a shared test machine. HOME is a user's
        // home that --no-create-home never made (and ProtectHome= hides anyway).
        var start = unit.Start(home: root.File("home/orderrelay"), ("Relay__Port", "0"));

        await using var relay = await RelayProcess.StartAsync(start);
        using var http = new HttpClient { BaseAddress = relay.HttpBase };
        using var health = await http.GetAsync("/healthz");
        using var page = await http.GetAsync("/merchant/");
        using var publish = new HttpRequestMessage(HttpMethod.Post, "/publish") { Content = new StringContent("""{"order_id":1,"merchant_id":"m-1"}""") };
        publish.Headers.Authorization = new AuthenticationHeaderValue("Bearer", "pk-unit-test-0123456789");
        using var published = await http.SendAsync(publish);
        relay.SendSigterm();
        var exitCode = await relay.WaitForExitAsync(TimeSpan.FromSeconds(15));

        Assert.That(health.StatusCode, Is.EqualTo(HttpStatusCode.OK), relay.Output);
        Assert.That(page.StatusCode, Is.EqualTo(HttpStatusCode.NotFound), "Relay__ServeSamples=false");
        Assert.That(published.StatusCode, Is.EqualTo(HttpStatusCode.OK), "the key from secrets.env is read");
        Assert.That(exitCode, Is.Zero, "stops cleanly on SIGTERM, within TimeoutStopSec");
        var journal = Path.Combine(unit.StateRoot, "orderrelay", "orderrelay.db");
        Assert.That(await CountOrdersAsync(journal), Is.EqualTo(1), "the order is in the journal under StateDirectory");
        Assert.That(unit.Single("WorkingDirectory"), Is.EqualTo(Path.GetDirectoryName(journal)));
        Assert.That(Directory.GetFiles(Path.Combine(unit.LogsRoot, "orderrelay"), "relay*.json"), Is.Not.Empty, "the log file under LogsDirectory");
        Assert.That(Directory.EnumerateFiles(Path.Combine(unit.CacheRoot, "orderrelay"), "*.so", SearchOption.AllDirectories), Is.Not.Empty,
            "the native library is unpacked under CacheDirectory");
        Assert.That(Directory.GetFileSystemEntries(Path.GetDirectoryName(unit.ExecStart)!), Is.EqualTo(new[] { unit.ExecStart }),
            "nothing is written beside the program (ProtectSystem=strict makes it read-only)");
        Assert.That(Directory.Exists(root.File("home")), Is.False, "nothing is written in a home directory");
    }

    private static async Task<long> CountOrdersAsync(string journal)
    {
        await using var connection = new SqliteConnection($"Data Source={journal};Mode=ReadOnly;Pooling=False");
        await connection.OpenAsync();
        await using var count = connection.CreateCommand();
        count.CommandText = "SELECT COUNT(*) FROM orders";
        return (long)(await count.ExecuteScalarAsync())!;
    }
}
