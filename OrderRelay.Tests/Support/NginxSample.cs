namespace OrderRelay.Tests.Support;

/// <summary>
/// <c>samples/deploy/nginx-orderrelay.conf</c> as users get it, turned into what a test can run.
/// Only the TLS lines and the two addresses change; every other line is the sample's own, so a
/// test runs the locations, headers and timeouts that users run.
/// </summary>
internal static class NginxSample
{
    /// <summary>The upstream line as the sample ships it (the relay's default bind and port).</summary>
    public const string UpstreamServer = "server 127.0.0.1:8080;";

    public static string FilePath { get; } = RepositoryRoot.Combine("samples", "deploy", "nginx-orderrelay.conf");

    public static string[] Lines() => File.ReadAllLines(FilePath);

    /// <summary>
    /// Plain HTTP on <c>127.0.0.1:<paramref name="listenPort"/></c> in front of a relay on
    /// <c>127.0.0.1:<paramref name="relayPort"/></c>: the <c>ssl_*</c> lines dropped, the
    /// <c>listen</c> line and the upstream's <c>server</c> line rewritten.
    /// </summary>
    public static string PlainHttp(int listenPort, int relayPort) => Rewrite(line =>
    {
        var directive = line.TrimStart();
        if (directive.StartsWith("ssl_", StringComparison.Ordinal))
        {
            return [];
        }

        if (directive.StartsWith("listen ", StringComparison.Ordinal))
        {
            return [Indent(line) + $"listen 127.0.0.1:{listenPort};"];
        }

        return directive.StartsWith(UpstreamServer, StringComparison.Ordinal)
            ? [line.Replace(UpstreamServer, $"server 127.0.0.1:{relayPort};", StringComparison.Ordinal)]
            : null;
    }, expectedRewrites: ["listen ", UpstreamServer]);

    /// <summary>The sample exactly as shipped, but for its certificate paths.</summary>
    public static string WithCertificate(string certificatePath, string keyPath) => Rewrite(line =>
    {
        var directive = line.TrimStart();
        if (directive.StartsWith("ssl_certificate ", StringComparison.Ordinal))
        {
            return [Indent(line) + $"ssl_certificate {certificatePath};"];
        }

        return directive.StartsWith("ssl_certificate_key ", StringComparison.Ordinal) ? [Indent(line) + $"ssl_certificate_key {keyPath};"] : null;
    }, expectedRewrites: ["ssl_certificate ", "ssl_certificate_key "]);

    /// <param name="rewrite">The lines to put instead of a sample line, or null to keep it.</param>
    /// <param name="expectedRewrites">Directives that must each be rewritten exactly once, so that a
    /// changed sample fails here instead of being run half-converted.</param>
    private static string Rewrite(Func<string, string[]?> rewrite, string[] expectedRewrites)
    {
        var output = new List<string>();
        var rewritten = new List<string>();
        foreach (var line in Lines())
        {
            if (rewrite(line) is { } replacement)
            {
                rewritten.Add(line.TrimStart());
                output.AddRange(replacement);
            }
            else
            {
                output.Add(line);
            }
        }

        foreach (var directive in expectedRewrites)
        {
            var count = rewritten.Count(line => line.StartsWith(directive, StringComparison.Ordinal));
            if (count != 1)
            {
                throw new InvalidOperationException($"{FilePath} has {count} lines starting with \"{directive}\" where the tests expect one; update {nameof(NginxSample)} with the sample.");
            }
        }

        return string.Join('\n', output) + "\n";
    }

    private static string Indent(string line) => line[..(line.Length - line.TrimStart().Length)];
}
