using System.Diagnostics;
using System.Text;

namespace OrderRelay.Tests.Support;

/// <summary>Runs a real program (php, dotnet) to completion within a bound and captures what it printed.</summary>
internal static class ExternalProcess
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(60);

    public sealed record Result(int ExitCode, string Output, string Error)
    {
        public override string ToString() => $"exit {ExitCode}\n--- stdout\n{Output}\n--- stderr\n{Error}";
    }

    /// <param name="onErrorLine">Sees each line of standard error as it is printed, so a test can react to progress.</param>
    public static async Task<Result> RunAsync(string fileName, IEnumerable<string> arguments, IDictionary<string, string>? environment = null,
        Action<string>? onErrorLine = null, TimeSpan? timeout = null)
    {
        var start = new ProcessStartInfo(fileName, arguments) { WorkingDirectory = RepositoryRoot.Path };
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }

        return await RunAsync(start, onErrorLine, timeout);
    }

    /// <summary>Runs a program exactly as <paramref name="start"/> says (arguments, environment, directory).</summary>
    public static async Task<Result> RunAsync(ProcessStartInfo start, Action<string>? onErrorLine = null, TimeSpan? timeout = null)
    {
        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        start.UseShellExecute = false;
        var fileName = start.FileName;
        var output = new StringBuilder();
        var error = new StringBuilder();
        using var process = new Process { StartInfo = start };
        process.OutputDataReceived += (_, line) =>
        {
            lock (output)
            {
                output.AppendLine(line.Data);
            }
        };
        process.ErrorDataReceived += (_, line) =>
        {
            lock (error)
            {
                error.AppendLine(line.Data);
            }

            if (line.Data is { } text)
            {
                onErrorLine?.Invoke(text);
            }
        };
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        using var bound = new CancellationTokenSource(timeout ?? DefaultTimeout);
        try
        {
            // Also waits until both streams have been read to their end.
            await process.WaitForExitAsync(bound.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{fileName} did not finish within {timeout ?? DefaultTimeout}:\n{output}\n{error}");
        }

        lock (output)
        {
            lock (error)
            {
                return new Result(process.ExitCode, output.ToString(), error.ToString());
            }
        }
    }
}
