using System.Net;
using OrderRelay.Tests.Support;

namespace OrderRelay.Tests.Samples;

[CancelAfter(30_000)]
public sealed class SampleFilesTests
{
    [Test]
    public async Task MerchantPath_ServesThePageAndItsFiles()
    {
        await using var relay = await RelayServer.StartAsync();

        using var page = await relay.Http.GetAsync("/merchant/");
        using var script = await relay.Http.GetAsync("/merchant/app.js");
        using var client = await relay.Http.GetAsync("/clients/js/index.js");
        using var icon = await relay.Http.GetAsync("/merchant/favicon.svg");

        Assert.That(page.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(page.Content.Headers.ContentType?.MediaType, Is.EqualTo("text/html"));
        Assert.That(await page.Content.ReadAsStringAsync(), Does.Contain("<title>Orders · OrderRelay</title>"));
        Assert.That(script.Content.Headers.ContentType?.MediaType, Is.EqualTo("text/javascript"));
        Assert.That(client.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(client.Content.Headers.ContentType?.MediaType, Is.EqualTo("text/javascript"));
        Assert.That(await client.Content.ReadAsStringAsync(), Does.Contain("export class RelayClient"));
        Assert.That(icon.Content.Headers.ContentType?.MediaType, Is.EqualTo("image/svg+xml"));
        Assert.That(page.Headers.CacheControl?.NoCache, Is.True);
    }

    [Test]
    public async Task MerchantPathWithoutSlash_RedirectsToTheFolder()
    {
        await using var relay = await RelayServer.StartAsync();
        using var client = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = relay.HttpBase };

        using var response = await client.GetAsync("/merchant");

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.MovedPermanently));
        Assert.That(response.Headers.Location?.AbsolutePath, Is.EqualTo("/merchant/"));
    }

    [Test]
    public async Task ServeSamplesOff_MerchantPathIsNotFound()
    {
        await using var relay = await RelayServer.StartAsync("Relay:ServeSamples=false");

        using var response = await relay.Http.GetAsync("/merchant/");

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
    }

    [TestCase("samples/merchant", "*")]
    [TestCase("clients/js", "*.js")]
    public void EmbeddedFolder_MatchesTheRepositoryFolderFileForFile(string embeddedFolder, string pattern)
    {
        var folder = RepositoryRoot.Combine(embeddedFolder.Split('/'));
        var onDisk = Directory.GetFiles(folder, pattern, SearchOption.AllDirectories)
            .Where(file => !file.EndsWith(".md", StringComparison.Ordinal))
            .Select(file => Path.GetRelativePath(folder, file).Replace('\\', '/'))
            .Order(StringComparer.Ordinal)
            .ToList();
        var embedded = OrderRelay.Samples.SampleFiles.Open(embeddedFolder);

        Assert.That(EmbeddedFiles(embedded, "/").Order(StringComparer.Ordinal), Is.EqualTo(onDisk));
        foreach (var file in onDisk)
        {
            using var reader = new StreamReader(embedded.GetFileInfo(file).CreateReadStream());
            Assert.That(reader.ReadToEnd(), Is.EqualTo(File.ReadAllText(Path.Combine(folder, file))), file);
        }
    }

    private static IEnumerable<string> EmbeddedFiles(Microsoft.Extensions.FileProviders.IFileProvider provider, string directory) =>
        provider.GetDirectoryContents(directory).SelectMany(entry => entry.IsDirectory
            ? EmbeddedFiles(provider, directory + entry.Name + "/")
            : [(directory + entry.Name).TrimStart('/')]);
}
