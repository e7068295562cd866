using System.Diagnostics;
using System.Text;
using System.Text.RegularExpressions;

namespace OrderRelay.Tests.Support;

/// <summary>
/// The relay as a child process (<c>dotnet OrderRelay.dll</c>), for what cannot happen in-process:
/// being killed with SIGKILL, or exiting with a start-up error code.
/// </summary>
internal sealed partial class RelayProcess : IAsyncDisposable
{
    private static readonly TimeSpan StartWait = TimeSpan.FromSeconds(30);

    private readonly Process _process;
    private readonly StringBuilder _stderr = new();
    private readonly TaskCompletionSource<Uri> _listening = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private RelayProcess(Process process) => _process = process;

    public Uri WebSocketUri { get; private set; } = null!;

    public string StandardError
    {
        get
        {
            lock (_stderr)
            {
                return _stderr.ToString();
            }
        }
    }

    /// <summary>Starts the relay in <paramref name="workingDirectory"/> and waits for its "Now listening on:" line.</summary>
    public static async Task<RelayProcess> StartAsync(string workingDirectory, params string[] settings)
    {
        var relay = Launch(workingDirectory, settings);
        var exited = relay._process.WaitForExitAsync();
        var listening = relay._listening.Task;
        if (await Task.WhenAny(listening, exited).WaitAsync(StartWait) != listening)
        {
            throw new AssertionException($"The relay exited with {relay._process.ExitCode} before listening: {relay.StandardError}");
        }

        relay.WebSocketUri = new Uri($"ws://{(await listening).Authority}/");
        return relay;
    }

    /// <summary>Runs a relay that is expected not to start; returns its exit code once it has exited.</summary>
    public static async Task<(int ExitCode, string StandardError)> RunUntilExitAsync(string workingDirectory, params string[] settings)
    {
        await using var relay = Launch(workingDirectory, settings);
        await relay._process.WaitForExitAsync().WaitAsync(StartWait);
        return (relay._process.ExitCode, relay.StandardError);
    }

    /// <summary>SIGKILL: no shutdown code runs, as in a crash or an OOM kill.</summary>
    public async Task KillAsync()
    {
        _process.Kill(entireProcessTree: false);
        await _process.WaitForExitAsync().WaitAsync(StartWait);
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            await KillAsync();
        }

        _process.Dispose();
    }

    private static RelayProcess Launch(string workingDirectory, string[] settings)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "OrderRelay.dll"));
        start.ArgumentList.Add("--Relay:Port=0");
        foreach (var setting in settings)
        {
            start.ArgumentList.Add("--" + setting);
        }

        var relay = new RelayProcess(new Process { StartInfo = start });
        relay._process.OutputDataReceived += (_, line) =>
        {
            if (line.Data is { } text && ListeningLine().Match(text) is { Success: true } match)
            {
                relay._listening.TrySetResult(new Uri(match.Groups[1].Value));
            }
        };
        relay._process.ErrorDataReceived += (_, line) =>
        {
            lock (relay._stderr)
            {
                relay._stderr.AppendLine(line.Data);
            }
        };
        relay._process.Start();
        relay._process.BeginOutputReadLine();
        relay._process.BeginErrorReadLine();
        return relay;
    }

    [GeneratedRegex(@"Now listening on: (http://\S+)")]
    private static partial Regex ListeningLine();
}
