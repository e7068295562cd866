using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using StackExchange.Redis;

namespace OrderRelay.Tests.Support;

/// <summary>
/// A real <c>redis-server</c> on a free loopback port, in its own directory, by default with an
/// fsync-always append-only file so that a restart keeps what it acknowledged; or a real
/// <c>redis-sentinel</c> watching one.
/// </summary>
internal sealed class RedisServer : IAsyncDisposable
{
    private readonly string _directory;
    private readonly string _program;
    private readonly IReadOnlyList<string> _arguments;
    private readonly string _readyLine;
    private readonly List<string> _lines = [];
    private readonly List<(string Text, TaskCompletionSource Seen)> _awaitedLines = [];
    private Process? _process;

    private RedisServer(int port, string directory, string program, IReadOnlyList<string> arguments, string readyLine)
    {
        Port = port;
        _directory = directory;
        _program = program;
        _arguments = arguments;
        _readyLine = readyLine;
    }

    public int Port { get; }

    public string Configuration => $"127.0.0.1:{Port},connectTimeout=2000,syncTimeout=2000,asyncTimeout=2000";

    /// <param name="extraArguments">More <c>redis-server</c> options, e.g. <c>--replicaof 127.0.0.1 6379</c>; they win over the defaults.</param>
    public static async Task<RedisServer> StartAsync(params string[] extraArguments)
    {
        var port = FreePort();
        var directory = Directory.CreateTempSubdirectory("orderrelay-redis-").FullName;
        string[] arguments = ["--port", port.ToString(CultureInfo.InvariantCulture), "--bind", "127.0.0.1", "--dir", directory,
            "--save", "", "--appendonly", "yes", "--appendfsync", "always", "--daemonize", "no", .. extraArguments];
        var server = new RedisServer(port, directory, "redis-server", arguments, "Ready to accept connections");
        await server.RestartAsync();
        return server;
    }

    /// <summary>A <c>redis-sentinel</c> watching the primary on <paramref name="primaryPort"/> as <paramref name="serviceName"/>.</summary>
    /// <param name="quorum">Sentinels that must see the primary down before a failover starts.</param>
    /// <param name="downAfter">How long the primary must not answer before this sentinel counts it down.</param>
    public static async Task<RedisServer> StartSentinelAsync(int primaryPort, string serviceName, int quorum, TimeSpan downAfter, TimeSpan failoverTimeout)
    {
        var port = FreePort();
        var directory = Directory.CreateTempSubdirectory("orderrelay-sentinel-").FullName;
        // A sentinel rewrites its own configuration file as it learns the topology, so it must have one it can write.
        var configurationFile = Path.Combine(directory, "sentinel.conf");
        await File.WriteAllTextAsync(configurationFile, string.Create(CultureInfo.InvariantCulture, $"""
            port {port}
            bind 127.0.0.1
            dir {directory}
            daemonize no
            sentinel monitor {serviceName} 127.0.0.1 {primaryPort} {quorum}
            sentinel down-after-milliseconds {serviceName} {(int)downAfter.TotalMilliseconds}
            sentinel failover-timeout {serviceName} {(int)failoverTimeout.TotalMilliseconds}

            """));
        var sentinel = new RedisServer(port, directory, "redis-sentinel", [configurationFile], "+monitor master");
        await sentinel.RestartAsync();
        return sentinel;
    }

    /// <summary>Starts the server (again) on the same port and data directory; returns once it accepts commands.</summary>
    public async Task RestartAsync()
    {
        var start = new ProcessStartInfo(_program)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = _directory,
        };
        foreach (var argument in _arguments)
        {
            start.ArgumentList.Add(argument);
        }

        lock (_lines)
        {
            _lines.Clear();
        }

        var ready = PrintedAsync(_readyLine);
        var process = new Process { StartInfo = start };
        process.OutputDataReceived += (_, line) => Record(line.Data);
        process.ErrorDataReceived += (_, _) => { };
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _process = process;
        await Task.WhenAny(ready, process.WaitForExitAsync()).WaitAsync(TimeSpan.FromSeconds(20));
        if (process.HasExited)
        {
            throw new AssertionException($"{_program} exited with {process.ExitCode}; is it installed (apt-get install {_program})?");
        }
    }

    /// <summary>For a replica: waits until its link to the primary is up and the first sync is done, which it logs.</summary>
    public async Task WaitUntilReplicatingAsync()
    {
        await PrintedAsync("MASTER <-> REPLICA sync: Finished with success").WaitAsync(TimeSpan.FromSeconds(60));
        await using var connection = await ConnectionMultiplexer.ConnectAsync(Configuration + ",allowAdmin=true");
        Assert.That(await connection.GetServer("127.0.0.1", Port).InfoRawAsync("replication"), Does.Contain("master_link_status:up"));
    }

    /// <summary>Completes once this run of the server has printed a line containing <paramref name="text"/>, even before this was asked.</summary>
    private Task PrintedAsync(string text)
    {
        lock (_lines)
        {
            if (_lines.Any(line => line.Contains(text, StringComparison.Ordinal)))
            {
                return Task.CompletedTask;
            }

            var seen = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _awaitedLines.Add((text, seen));
            return seen.Task;
        }
    }

    private void Record(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_lines)
        {
            _lines.Add(line);
            foreach (var awaited in _awaitedLines.Where(awaited => line.Contains(awaited.Text, StringComparison.Ordinal)).ToList())
            {
                awaited.Seen.TrySetResult();
                _awaitedLines.Remove(awaited);
            }
        }
    }

    /// <summary>Starts the server again with none of its data, as Redis without persistence (or a fresh replica promoted) comes back.</summary>
    public async Task RestartEmptyAsync()
    {
        await KillAsync();
        foreach (var entry in new DirectoryInfo(_directory).EnumerateFileSystemInfos())
        {
            if (entry is DirectoryInfo directory)
            {
                directory.Delete(recursive: true);
            }
            else
            {
                entry.Delete();
            }
        }

        await RestartAsync();
    }

    /// <summary>Stops the server without closing its connections (SIGSTOP), as a hung host or a network black hole would.</summary>
    public Task PauseAsync() => SignalAsync("-STOP");

    /// <summary>Lets a paused server run again (SIGCONT).</summary>
    public Task ResumeAsync() => SignalAsync("-CONT");

    private async Task SignalAsync(string signal)
    {
        using var kill = Process.Start("kill", [signal, _process!.Id.ToString(CultureInfo.InvariantCulture)]);
        await kill.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10));
    }

    /// <summary>Kills the server outright, as a crash or a lost network would.</summary>
    public async Task KillAsync()
    {
        if (_process is { HasExited: false } process)
        {
            // A paused server must be able to die.
            process.Kill();
            await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10));
        }

        _process?.Dispose();
        _process = null;
    }

    public async ValueTask DisposeAsync()
    {
        await KillAsync();
        Directory.Delete(_directory, recursive: true);
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
