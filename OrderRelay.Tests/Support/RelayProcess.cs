using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.RegularExpressions;

namespace OrderRelay.Tests.Support;

/// <summary>
/// The relay as a child process, started from the OrderRelay.dll built beside the tests,
/// for what only a real process shows: signals, exit codes, start-up failures, crashes.
/// Each runs in a working directory of its own (a fresh one unless given), so default
/// relative paths such as the SQLite journal never collide.
/// </summary>
internal sealed partial class RelayProcess : IAsyncDisposable
{
    private const int Sigterm = 15;

    private readonly Process _process;
    private readonly DirectoryInfo? _ownDirectory;
    private readonly StringBuilder _output = new();
    private readonly TaskCompletionSource<Uri> _listening = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private RelayProcess(Process process, DirectoryInfo? ownDirectory)
    {
        _process = process;
        _ownDirectory = ownDirectory;
    }

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
    public static Task<RelayProcess> StartAsync(params string[] settings) => StartInAsync(null, settings);

    /// <summary>Starts the relay in <paramref name="workingDirectory"/> (a fresh one when null) and waits until it listens.</summary>
    public static Task<RelayProcess> StartInAsync(string? workingDirectory, params string[] settings) => WaitUntilListeningAsync(Launch(workingDirectory, settings));

    /// <summary>Starts a relay program exactly as <paramref name="start"/> says (program, arguments, environment, directory) and waits until it listens.</summary>
    public static Task<RelayProcess> StartAsync(ProcessStartInfo start) => WaitUntilListeningAsync(Launch(start, ownDirectory: null));

    private static async Task<RelayProcess> WaitUntilListeningAsync(RelayProcess relay)
    {
        var exited = relay._process.WaitForExitAsync();
        var first = await Task.WhenAny(relay._listening.Task, exited).WaitAsync(TimeSpan.FromSeconds(30));
        if (first == exited)
        {
            throw new AssertionException($"The relay exited with {relay._process.ExitCode} before listening:\n{relay.Output}");
        }

        return relay;
    }

    /// <summary>Runs the relay expecting it to refuse to start; returns its exit code and output.</summary>
    public static Task<(int ExitCode, string Output)> RunToExitAsync(params string[] settings) => RunToExitInAsync(null, settings);

    public static async Task<(int ExitCode, string Output)> RunToExitInAsync(string? workingDirectory, params string[] settings)
    {
        await using var relay = Launch(workingDirectory, settings);
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

    /// <summary>SIGKILL: no shutdown code runs, as in a crash or an OOM kill.</summary>
    public async Task KillAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10));
        }
    }

    public async ValueTask DisposeAsync()
    {
        await KillAsync();
        _process.Dispose();
        _ownDirectory?.Delete(recursive: true);
    }

    private static RelayProcess Launch(string? workingDirectory, string[] settings)
    {
        var ownDirectory = workingDirectory is null ? Directory.CreateTempSubdirectory("orderrelay-process-") : null;
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? ownDirectory!.FullName,
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "OrderRelay.dll"));
        start.ArgumentList.Add("--Relay:Port=0");
        foreach (var setting in settings)
        {
            start.ArgumentList.Add("--" + setting);
        }

        return Launch(start, ownDirectory);
    }

    private static RelayProcess Launch(ProcessStartInfo start, DirectoryInfo? ownDirectory)
    {
        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        start.UseShellExecute = false;
        var relay = new RelayProcess(new Process { StartInfo = start }, ownDirectory);
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
