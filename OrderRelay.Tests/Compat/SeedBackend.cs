using OrderRelay.Tests.Support;

namespace OrderRelay.Tests.Compat;

/// <summary>Runs Fixtures/seed_backend.php, a shop backend written like the seed's, with the real php-cli.</summary>
internal static class SeedBackend
{
    private const string Php = "/usr/bin/php";
    private static readonly string Script = RepositoryRoot.Combine("OrderRelay.Tests", "Compat", "Fixtures", "seed_backend.php");

    public static async Task<ExternalProcess.Result> PushAsync(Uri url, params string[] orders)
    {
        if (!File.Exists(Php))
        {
            Assert.Fail($"{Php} is missing: install Debian's php-cli, as .ci/run does.");
        }

        var run = await ExternalProcess.RunAsync(Php, [Script, .. orders], new Dictionary<string, string> { ["SEED_RELAY_URL"] = url.ToString() });
        Assert.That(run.ExitCode, Is.Zero, run.ToString());
        return run;
    }

    /// <summary>The close line the script printed: "close 1000 " for a normal goodbye.</summary>
    public static string CloseLine(ExternalProcess.Result run) =>
        run.Output.Split('\n').Single(line => line.StartsWith("close ", StringComparison.Ordinal) || line.StartsWith("refused ", StringComparison.Ordinal));
}
