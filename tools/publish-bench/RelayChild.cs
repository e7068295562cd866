using System.Diagnostics;
using System.Text.RegularExpressions;

namespace PublishBench;

/// <summary>The relay as a child process on a loopback ephemeral port, with a fresh journal in its working directory.</summary>
internal sealed partial class RelayChild : IAsyncDisposable
{
    private readonly Process _process;

    private RelayChild(Process process, Uri webSocketUri)
    {
        _process = process;
        WebSocketUri = webSocketUri;
    }

    public Uri WebSocketUri { get; }

    /// <param name="store">memory, sqlite, or redis-waitN: the Redis store with <c>Relay:Redis:WaitReplicas=N</c>.</param>
    /// <param name="redis">The Redis configuration string and the key prefix for a redis store.</param>
    public static async Task<RelayChild> StartAsync(string relayDll, string workingDirectory, string store, (string Configuration, string KeyPrefix)? redis)
    {
        var start = new ProcessStartInfo("dotnet") { WorkingDirectory = workingDirectory, RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var argument in new[] { relayDll, "--Relay:Port=0", "--Relay:Sqlite:Path=bench.db", "--Serilog:MinimumLevel:Default=Warning",
            // The relay is measured, not its per-publisher rate limit.
            "--Relay:Limits:PublishRatePerSecond=10000000", "--Relay:Limits:PublishBurst=10000000",
            "--Serilog:MinimumLevel:Override:Microsoft.Hosting.Lifetime=Information" })
        {
            start.ArgumentList.Add(argument);
        }

        if (store.StartsWith("redis-wait", StringComparison.Ordinal))
        {
            foreach (var argument in new[] { "--Relay:Store=redis", "--Relay:Redis:Configuration=" + redis!.Value.Configuration,
                "--Relay:Redis:KeyPrefix=" + redis.Value.KeyPrefix, "--Relay:Redis:WaitReplicas=" + store["redis-wait".Length..] })
            {
                start.ArgumentList.Add(argument);
            }
        }
        else
        {
            start.ArgumentList.Add("--Relay:Store=" + store);
        }

        var process = Process.Start(start)!;
        var listening = new TaskCompletionSource<Uri>(TaskCreationOptions.RunContinuationsAsynchronously);
        process.OutputDataReceived += (_, line) =>
        {
            if (line.Data is { } text && ListeningLine().Match(text) is { Success: true } match)
            {
                listening.TrySetResult(new Uri(match.Groups[1].Value.Replace("http://", "ws://", StringComparison.Ordinal) + "/"));
            }
        };
        process.BeginOutputReadLine();
        return new RelayChild(process, await listening.Task.WaitAsync(TimeSpan.FromSeconds(30)));
    }

    public async ValueTask DisposeAsync()
    {
        _process.Kill();
        await _process.WaitForExitAsync();
        _process.Dispose();
    }

    [GeneratedRegex(@"Now listening on: (http://\S+)")]
    private static partial Regex ListeningLine();
}
