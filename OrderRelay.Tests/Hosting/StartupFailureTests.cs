using OrderRelay.Tests.Support;

namespace OrderRelay.Tests.Hosting;

/// <summary>A relay that cannot start says why in one line on standard error, with no stack trace anywhere.</summary>
[CancelAfter(60_000)]
public sealed class StartupFailureTests
{
    [TestCase("parent-is-a-file", "its directory cannot be created")]
    [TestCase("path-is-a-directory", "cannot be used as the order journal")]
    [TestCase("read-only-file-system", "cannot be written by this user")]
    public async Task UnwritableJournal_OneLineNamingTheSettingAndNoStackTrace(string kind, string reason)
    {
        using var directory = new TempDirectory();
        var journal = kind switch
        {
            "parent-is-a-file" => Path.Combine(CreateFile(directory.File("not-a-folder")), "journal.db"),
            "path-is-a-directory" => Directory.CreateDirectory(directory.File("journal.db")).FullName,
            // sysfs takes no new files, for root too (permission bits would not stop root).
            _ => "/sys/orderrelay-journal.db",
        };

        var result = await ExternalProcess.RunAsync("dotnet",
            [Path.Combine(AppContext.BaseDirectory, "OrderRelay.dll"), "--Relay:Port=0", "--Relay:Store=sqlite", "--Relay:Sqlite:Path=" + journal]);

        Assert.That(result.ExitCode, Is.EqualTo(2), result.ToString());
        Assert.That(result.Error.TrimEnd().Split('\n'), Has.Length.EqualTo(1), result.ToString());
        Assert.That(result.Error, Does.StartWith($"OrderRelay cannot start: Relay:Sqlite:Path '{journal}'").And.Contain(reason));
        Assert.That(result.Output + result.Error, Does.Not.Contain("   at ").And.Not.Contain("Exception"), "no stack trace");
    }

    private static string CreateFile(string path)
    {
        File.WriteAllText(path, "");
        return path;
    }
}
