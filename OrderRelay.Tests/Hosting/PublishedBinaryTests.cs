using System.Net;
using OrderRelay.Tests.Support;

namespace OrderRelay.Tests.Hosting;

/// <summary>
/// The self-contained single-file binary (README's publish one-liner), copied alone into an empty
/// folder and run with no .NET in reach: it answers, starts, and serves the merchant page from
/// inside itself.
/// </summary>
[CancelAfter(60_000)]
public sealed class PublishedBinaryTests
{
    private string _program = null!;

    [OneTimeSetUp]
    [CancelAfter(660_000)]
    public async Task PublishOnce() => _program = await PublishedRelay.PathAsync().WaitAsync(PublishedRelay.PublishTimeout + TimeSpan.FromMinutes(1));

    [Test]
    public void Publish_LeavesOneProgramNamedOrderrelay()
    {
        Assert.That(Path.GetFileName(_program), Is.EqualTo("orderrelay"));
        Assert.That(Directory.GetFiles(PublishedRelay.Folder).Select(Path.GetFileName),
            Has.None.EndsWith(".dll").And.None.EndsWith(".so"), "everything the program needs is inside it");
    }

    [Test]
    public async Task Version_WithoutDotnet_PrintsVersionAndCommit()
    {
        using var directory = new TempDirectory();
        var program = CopyAlone(directory);

        var result = await ExternalProcess.RunAsync(PublishedRelay.WithoutDotnet(program, directory.Path, ["--version"]));

        Assert.That(result.ExitCode, Is.Zero, result.ToString());
        Assert.That(result.Output, Does.StartWith("orderrelay 1.0.0").And.Match(@"commit [0-9a-f]{40}"));
    }

    [Test]
    public async Task Start_AloneWithoutDotnet_AnswersHealthzAndServesTheMerchantPage()
    {
        using var directory = new TempDirectory();
        var program = CopyAlone(directory);

        await using var relay = await RelayProcess.StartAsync(PublishedRelay.WithoutDotnet(program, directory.Path, ["--Relay:Port=0"]));
        using var http = new HttpClient { BaseAddress = relay.HttpBase };
        using var health = await http.GetAsync("/healthz");
        using var page = await http.GetAsync("/merchant/");
        using var script = await http.GetAsync("/clients/js/index.js");

        Assert.That(health.StatusCode, Is.EqualTo(HttpStatusCode.OK), relay.Output);
        Assert.That(page.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(await page.Content.ReadAsStringAsync(), Does.Contain("<title>"));
        Assert.That(script.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(await script.Content.ReadAsStringAsync(),
            Is.EqualTo(await File.ReadAllTextAsync(RepositoryRoot.Combine("clients", "js", "index.js"))), "the client module the page imports");
        Assert.That(File.Exists(Path.Combine(directory.Path, "data", "orderrelay.db")), Is.True, "the journal is under the working directory");
    }

    /// <summary>The program alone in a folder of its own: no settings file, nothing else beside it.</summary>
    private string CopyAlone(TempDirectory directory)
    {
        var program = directory.File("orderrelay");
        File.Copy(_program, program);
        return program;
    }
}
