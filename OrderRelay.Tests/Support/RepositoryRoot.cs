namespace OrderRelay.Tests.Support;

/// <summary>The checkout the tests run from, found by walking up to OrderRelay.sln.</summary>
internal static class RepositoryRoot
{
    public static string Path { get; } = Find();

    public static string Combine(params string[] parts) => System.IO.Path.Combine([Path, .. parts]);

    private static string Find()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(System.IO.Path.Combine(directory.FullName, "OrderRelay.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException($"No OrderRelay.sln above {AppContext.BaseDirectory}.");
    }
}
