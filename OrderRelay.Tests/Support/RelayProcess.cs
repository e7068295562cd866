using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.RegularExpressions;

namespace OrderRelay.Tests.Support;

/// <summary>
/// The relay as a child process, started from the OrderRelay.dll built beside the tests,
/// for what only a real process shows: signals, exit codes, start-up failures, crashes.
/// </summary>
internal sealed partial class RelayProcess : IAsyncDisposable
{
    private const int Sigterm = 15;

    private readonly Process _process;
    private readonly StringBuilder _output = new();
    private readonly TaskCompletionSource<Uri> _listening = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private RelayProcess(Process process) => _process = process;

    public int Id => _process.Id;

    public Uri HttpBase => _listening.Task.Result;

    public Uri WebSocketUri => new($"ws://{HttpBase.Authority}/");

    /// <summary>Everything the process wrote to stdout and stderr so far.</summary>
    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    /// <summary>Starts the relay and waits until it listens (or fails with its output in the message).</summary>
    public static async Task<RelayProcess> StartAsync(params string[] settings)
    {
        var relay = Launch(["--Relay:Port=0", .. settings.Select(setting => "--" + setting)]);
        var exited = relay._process.WaitForExitAsync();
        var first = await Task.WhenAny(relay._listening.Task, exited).WaitAsync(TimeSpan.FromSeconds(30));
        if (first == exited)
        {
            throw new AssertionException($"The relay exited with {relay._process.ExitCode} before listening:\n{relay.Output}");
        }

        return relay;
    }

    /// <summary>Runs the relay expecting it to refuse to start; returns its exit code and output.</summary>
    public static async Task<(int ExitCode, string Output)> RunToExitAsync(params string[] settings)
    {
        await using var relay = Launch(["--Relay:Port=0", .. settings.Select(setting => "--" + setting)]);
        await relay._process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
        return (relay._process.ExitCode, relay.Output);
    }

    public void SendSigterm()
    {
        if (Kill(_process.Id, Sigterm) != 0)
        {
            throw new InvalidOperationException($"kill({_process.Id}, SIGTERM) failed with errno {Marshal.GetLastPInvokeError()}.");
        }
    }

    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        await _process.WaitForExitAsync().WaitAsync(timeout);
        return _process.ExitCode;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10));
        }

        _process.Dispose();
    }

    private static RelayProcess Launch(IEnumerable<string> arguments)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Path.GetTempPath(),
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "OrderRelay.dll"));
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        var relay = new RelayProcess(new Process { StartInfo = start });
        relay._process.OutputDataReceived += (_, line) => relay.Record(line.Data);
        relay._process.ErrorDataReceived += (_, line) => relay.Record(line.Data);
        relay._process.Start();
        relay._process.BeginOutputReadLine();
        relay._process.BeginErrorReadLine();
        return relay;
    }

    private void Record(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            _output.AppendLine(line);
        }

        if (ListeningLine().Match(line) is { Success: true } match)
        {
            _listening.TrySetResult(new Uri(match.Groups["url"].Value + "/"));
        }
    }

    [GeneratedRegex(@"Now listening on: (?<url>http://[^\s]+)")]
    private static partial Regex ListeningLine();

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);
}
