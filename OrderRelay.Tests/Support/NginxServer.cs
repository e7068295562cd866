using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace OrderRelay.Tests.Support;

/// <summary>
/// Debian's <c>nginx</c> as a foreground process (<c>daemon off</c>) with its configuration,
/// pid, logs and temp files in a directory of its own, listening on a free loopback port.
/// One worker, so <see cref="WorkerConnections"/> is the whole budget: each proxied WebSocket
/// takes two of them (the client's and the relay's side).
/// </summary>
internal sealed class NginxServer : IAsyncDisposable
{
    public const int WorkerConnections = 4096;

    private readonly Process _process;
    private readonly TempDirectory _directory;
    private readonly System.Text.StringBuilder _output = new();

    private NginxServer(Process process, TempDirectory directory, int port)
    {
        _process = process;
        _directory = directory;
        // Before it has read its configuration nginx reports to standard error.
        _process.ErrorDataReceived += (_, line) =>
        {
            lock (_output)
            {
                _output.AppendLine(line.Data);
            }
        };
        Port = port;
        WebSocketUri = new Uri($"ws://127.0.0.1:{port}/");
    }

    public int Port { get; }

    public Uri WebSocketUri { get; }

    /// <summary>What nginx wrote to its error log so far (e.g. "worker_connections are not enough").</summary>
    public string ErrorLog => File.Exists(_directory.File("error.log")) ? File.ReadAllText(_directory.File("error.log")) : "";

    /// <param name="serverBlock">The http-level configuration (upstream, server blocks) for the free port it is given.</param>
    public static async Task<NginxServer> StartAsync(Func<int, string> serverBlock)
    {
        var directory = new TempDirectory();
        var port = FreePort();
        var configuration = WriteConfiguration(directory, serverBlock(port));
        var start = new ProcessStartInfo("nginx")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = directory.Path,
        };
        foreach (var argument in new[] { "-p", directory.Path + "/", "-c", configuration, "-g", "daemon off;" })
        {
            start.ArgumentList.Add(argument);
        }

        Process process;
        try
        {
            process = Process.Start(start)!;
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            directory.Dispose();
            throw new AssertionException($"nginx could not be started ({ex.Message}); is it installed (apt-get install nginx)?");
        }

        var server = new NginxServer(process, directory, port);
        process.OutputDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        await server.WaitUntilListeningAsync();
        return server;
    }

    /// <summary><c>nginx -t</c> on <paramref name="serverBlock"/> inside the same main configuration.</summary>
    public static async Task<ExternalProcess.Result> TestConfigurationAsync(string serverBlock)
    {
        using var directory = new TempDirectory();
        var configuration = WriteConfiguration(directory, serverBlock);
        return await ExternalProcess.RunAsync("nginx", ["-t", "-p", directory.Path + "/", "-c", configuration]);
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10));
        }

        _process.Dispose();
        _directory.Dispose();
    }

    private static string WriteConfiguration(TempDirectory directory, string serverBlock)
    {
        var path = directory.File("nginx.conf");
        var file = (string name) => directory.File(name);
        File.WriteAllText(path, string.Create(CultureInfo.InvariantCulture, $$"""
            worker_processes 1;
            # Each connection is a descriptor; room for all of them and the logs.
            worker_rlimit_nofile {{2 * WorkerConnections}};
            pid {{file("nginx.pid")}};
            error_log {{file("error.log")}} warn;

            events {
                worker_connections {{WorkerConnections}};
            }

            http {
                access_log off;
                client_body_temp_path {{file("client_body")}};
                proxy_temp_path {{file("proxy")}};
                fastcgi_temp_path {{file("fastcgi")}};
                uwsgi_temp_path {{file("uwsgi")}};
                scgi_temp_path {{file("scgi")}};

            {{serverBlock}}
            }

            """));
        return path;
    }

    /// <summary>Nginx gives no signal when it listens, so the port is tried until it connects or nginx has exited.</summary>
    private async Task WaitUntilListeningAsync()
    {
        var listening = await Eventually.UntilAsync(async () =>
        {
            using var probe = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            try
            {
                await probe.ConnectAsync(IPAddress.Loopback, Port);
                return true;
            }
            catch (SocketException)
            {
                return false;
            }
        }, connected => connected || _process.HasExited, "nginx to listen");
        if (listening && !_process.HasExited)
        {
            return;
        }

        string problem;
        lock (_output)
        {
            problem = $"nginx exited with {_process.ExitCode}:\n{_output}{ErrorLog}";
        }

        await DisposeAsync();
        throw new AssertionException(problem);
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
