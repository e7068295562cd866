using System.Diagnostics;

namespace OrderRelay.Tests.Support;

/// <summary>
/// The self-contained single-file <c>orderrelay</c> that README's publish one-liner makes, in
/// <c>artifacts/linux-x64/</c>. CI publishes it before the tests; when it is missing or older than
/// a source it is built from, it is published here once per test run (its intermediate files in a
/// temporary folder, so the build the tests run from is left alone).
/// </summary>
internal static class PublishedRelay
{
    public const string ProgramName = "orderrelay";

    /// <summary>Publishing takes a minute or two on a busy 2-core machine; this bounds it generously.</summary>
    public static readonly TimeSpan PublishTimeout = TimeSpan.FromMinutes(10);

    private static readonly Lazy<Task<string>> Program = new(PublishIfStaleAsync);

    public static string Folder => RepositoryRoot.Combine("artifacts", "linux-x64");

    /// <summary>The published program's path, publishing it first when needed.</summary>
    public static Task<string> PathAsync() => Program.Value;

    /// <summary>
    /// A start of the program with nothing of the machine's .NET in reach: no <c>DOTNET_*</c> variable,
    /// and a <c>PATH</c> that holds no <c>dotnet</c>.
    /// </summary>
    public static ProcessStartInfo WithoutDotnet(string program, string workingDirectory, IEnumerable<string> arguments)
    {
        var start = new ProcessStartInfo(program, arguments) { WorkingDirectory = workingDirectory };
        foreach (var name in start.Environment.Keys.Where(name => name.StartsWith("DOTNET", StringComparison.OrdinalIgnoreCase)
            || name.StartsWith("ASPNETCORE", StringComparison.OrdinalIgnoreCase)).ToList())
        {
            start.Environment.Remove(name);
        }

        var emptyBin = Directory.CreateDirectory(System.IO.Path.Combine(workingDirectory, "empty-bin")).FullName;
        start.Environment["PATH"] = emptyBin;
        // The single file unpacks its native SQLite library under HOME/.net unless told otherwise.
        start.Environment["HOME"] = workingDirectory;
        return start;
    }

    private static async Task<string> PublishIfStaleAsync()
    {
        var program = System.IO.Path.Combine(Folder, ProgramName);
        if (File.Exists(program) && File.GetLastWriteTimeUtc(program) > NewestSource())
        {
            return program;
        }

        var intermediate = Directory.CreateTempSubdirectory("orderrelay-publish-");
        try
        {
            var published = await ExternalProcess.RunAsync("dotnet",
                ["publish", RepositoryRoot.Combine("OrderRelay", "OrderRelay.csproj"), "-c", "Release", "-r", "linux-x64", "--self-contained",
                    "-p:PublishSingleFile=true", "-o", Folder, "--artifacts-path", intermediate.FullName],
                timeout: PublishTimeout);
            if (published.ExitCode != 0 || !File.Exists(program))
            {
                throw new AssertionException($"dotnet publish failed:\n{published}");
            }

            return program;
        }
        finally
        {
            intermediate.Delete(recursive: true);
        }
    }

    /// <summary>The newest file the program is built from: the relay's sources and the folders it embeds (but their *.md, which are not embedded).</summary>
    private static DateTime NewestSource() =>
        new[] { RepositoryRoot.Combine("OrderRelay"), RepositoryRoot.Combine("samples", "merchant") }
            .SelectMany(folder => Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories))
            .Where(file => !file.EndsWith(".md", StringComparison.Ordinal))
            .Where(file => !file.Contains($"{System.IO.Path.DirectorySeparatorChar}bin{System.IO.Path.DirectorySeparatorChar}", StringComparison.Ordinal)
                && !file.Contains($"{System.IO.Path.DirectorySeparatorChar}obj{System.IO.Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            .Concat([RepositoryRoot.Combine("Directory.Build.props"), RepositoryRoot.Combine("Directory.Packages.props")])
            .Max(File.GetLastWriteTimeUtc);
}
