using System.Diagnostics;
using System.Net;
using System.Text.RegularExpressions;
using OrderRelay.Tests.Security;
using OrderRelay.Tests.Support;

namespace OrderRelay.Tests.Hosting;

/// <summary>The built relay run as a process, as a user types it: what it prints, and its exit code.</summary>
[CancelAfter(60_000)]
public sealed partial class CommandLineTests
{
    private static readonly string RelayDll = Path.Combine(AppContext.BaseDirectory, "OrderRelay.dll");

    [Test]
    public async Task Help_PrintsUsageSettingsTokenAndWhereThingsAre_WithoutStarting()
    {
        using var directory = new TempDirectory();
        var journal = directory.File("journal.db");

        var result = await RunAsync("--help", "--Relay:Sqlite:Path=" + journal);

        Assert.That(result.ExitCode, Is.Zero, result.ToString());
        Assert.That(result.Output, Does.Contain("orderrelay token (--merchant ID)")
            .And.Contain("--Relay:Port=9001").And.Contain("Relay__Port=9001").And.Contain("Relay:Sqlite:Path"));
        Assert.That(result.Output, Does.Contain(Path.Combine(AppContext.BaseDirectory, "appsettings.json")), "where the settings file is");
        Assert.That(result.Output, Does.Contain("journal        " + journal), "where the journal is, with the settings given");
        Assert.That(result.Output, Does.Not.Contain("Now listening"));
        Assert.That(result.Error.Trim(), Is.Empty);
        Assert.That(File.Exists(journal), Is.False, "nothing was started");
    }

    [TestCase("-h")]
    [TestCase("help")]
    public async Task HelpSpellings_PrintUsage(string help)
    {
        var result = await RunAsync(help);

        Assert.That(result.ExitCode, Is.Zero, result.ToString());
        Assert.That(result.Output, Does.StartWith("orderrelay: "));
    }

    [Test]
    public async Task Version_PrintsVersionAndTheCommitBuiltFrom()
    {
        var result = await RunAsync("--version");

        Assert.That(result.ExitCode, Is.Zero, result.ToString());
        Assert.That(result.Output, Does.StartWith("orderrelay 1.0.0" + Environment.NewLine));
        var commit = CommitLine().Match(result.Output);
        Assert.That(commit.Success, Is.True, result.Output);
        var known = await ExternalProcess.RunAsync("git", ["cat-file", "-t", commit.Groups["sha"].Value]);
        Assert.That(known.Output.Trim(), Is.EqualTo("commit"), "the commit is one of this repository's");
    }

    [TestCase("frobnicate", "unknown command 'frobnicate'")]
    [TestCase("--frobnicate", "unknown option '--frobnicate'")]
    [TestCase("-x", "unknown option '-x'")]
    [TestCase("--Prot=9000", "unknown setting 'Prot'")]
    [TestCase("--Relay:Port", "setting '--Relay:Port' has no value")]
    [TestCase("--Relay:Port=0 stray", "unexpected argument 'stray'")]
    public async Task UnknownArgument_Exit2WithOneLineNamingIt(string arguments, string message)
    {
        var result = await RunAsync(arguments.Split(' '));

        Assert.That(result.ExitCode, Is.EqualTo(2), result.ToString());
        Assert.That(result.Error.TrimEnd().Split('\n'), Has.Length.EqualTo(1), result.Error);
        Assert.That(result.Error, Does.StartWith("orderrelay: " + message));
        Assert.That(result.Output.Trim(), Is.Empty, "nothing was started");
    }

    [Test]
    public async Task ConfigurationForms_AreSettingsNotUnknownFlags()
    {
        using var directory = new TempDirectory();
        var start = new ProcessStartInfo("dotnet", [RelayDll, "--Relay:Port", "0", "/Relay:Store", "memory", "Relay:ServeSamples=false", "--relay:bind=127.0.0.1"])
        {
            WorkingDirectory = directory.Path,
        };

        await using var relay = await RelayProcess.StartAsync(start);
        using var http = new HttpClient { BaseAddress = relay.HttpBase };
        using var health = await http.GetAsync("/healthz");
        using var page = await http.GetAsync("/merchant/");

        Assert.That(health.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(page.StatusCode, Is.EqualTo(HttpStatusCode.NotFound), "Relay:ServeSamples=false was read");
        Assert.That(Directory.Exists(Path.Combine(directory.Path, "data")), Is.False, "/Relay:Store memory was read: no journal");
    }

    [Test]
    public async Task TokenHelp_PrintsItsUsage()
    {
        var result = await RunAsync("token", "--help");

        Assert.That(result.ExitCode, Is.Zero, result.ToString());
        Assert.That(result.Output, Does.Contain("--merchant ID").And.Contain("--all").And.Contain("--ttl").And.Contain("Relay:Auth:SubscriberSecret"));
    }

    [Test]
    public async Task Token_SecretAsSeparateArgument_PrintsAJwt()
    {
        var result = await RunAsync("token", "--merchant", "m-1001", "--Relay:Auth:SubscriberSecret", SecuredRelay.Secret);

        Assert.That(result.ExitCode, Is.Zero, result.ToString());
        Assert.That(result.Output.Trim().Split('.'), Has.Length.EqualTo(3));
    }

    [Test]
    public async Task TokenUnknownArgument_Exit2WithOneLineNamingIt()
    {
        var result = await RunAsync("token", "--merchnt", "m-1");

        Assert.That(result.ExitCode, Is.EqualTo(2), result.ToString());
        Assert.That(result.Error.TrimEnd().Split('\n'), Has.Length.EqualTo(1), result.Error);
        Assert.That(result.Error, Does.Contain("'--merchnt'"));
    }

    private static Task<ExternalProcess.Result> RunAsync(params string[] arguments) => ExternalProcess.RunAsync("dotnet", [RelayDll, .. arguments]);

    [GeneratedRegex(@"^commit (?<sha>[0-9a-f]{40})$", RegexOptions.Multiline)]
    private static partial Regex CommitLine();
}
