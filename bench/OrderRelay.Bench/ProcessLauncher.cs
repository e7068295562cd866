using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace OrderRelay.Bench;

/// <summary>
/// Starts a server as a child process on a fresh loopback port and waits for its
/// <c>/healthz</c>: OrderRelay from its Release build, or a peer under <c>bench/peers/</c>.
/// </summary>
internal sealed class ProcessLauncher(string name, string repositoryRoot) : IServerLauncher
{
    public const string OrderRelay = "orderrelay";
    public const string NodeWs = "node-ws";

    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(2) };

    public string Name { get; } = name;

    /// <summary><c>orderrelay-before</c> and the like are OrderRelay builds too, from another checkout (<c>--servers orderrelay-before=/path</c>).</summary>
    private string Kind => Name.StartsWith(OrderRelay, StringComparison.Ordinal) ? OrderRelay : Name;

    public async Task<RunningServer> StartAsync(string store, CancellationToken cancellationToken)
    {
        var port = FreePort();
        var start = Kind switch
        {
            OrderRelay => new ProcessStartInfo("dotnet",
            [
                Path.Combine(repositoryRoot, "OrderRelay/bin/Release/net10.0/OrderRelay.dll"),
                $"--Relay:Port={port}", $"--Relay:Store={store}", "--Serilog:MinimumLevel:Default=Warning",
                // The relay is measured, not its per-publisher rate limit or its per-address connection limit.
                "--Relay:Limits:PublishRatePerSecond=10000000", "--Relay:Limits:PublishBurst=10000000",
                "--Relay:Limits:MaxConnectionsPerAddress=100000",
            ]),
            NodeWs when store == "memory" => new ProcessStartInfo("node",
                [Path.Combine(repositoryRoot, "bench/peers/node-ws/server.js"), "--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture)]),
            NodeWs => throw new NotSupportedException("the node-ws peer keeps history in memory only"),
            _ => throw new ArgumentException("Unknown server " + Name),
        };
        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        start.WorkingDirectory = repositoryRoot;
        var process = Process.Start(start) ?? throw new InvalidOperationException("Could not start " + Name);
        var errors = new System.Collections.Concurrent.ConcurrentQueue<string>();
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is { } line && errors.Count < 20)
            {
                errors.Enqueue(line);
            }
        };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        var server = new RunningServer(new Uri($"ws://127.0.0.1:{port}/"), process.Id, () => StopAsync(process));
        try
        {
            await WaitUntilHealthyAsync(port, process, cancellationToken);
        }
        catch (InvalidOperationException ex)
        {
            await server.DisposeAsync();
            throw new NotSupportedException($"{Name} did not start with store {store}: {ex.Message} {string.Join(' ', errors)}", ex);
        }

        return server;
    }

    private static async Task WaitUntilHealthyAsync(int port, Process process, CancellationToken cancellationToken)
    {
        var deadline = Stopwatch.GetTimestamp() + 30 * Stopwatch.Frequency;
        while (Stopwatch.GetTimestamp() < deadline)
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException($"exited with code {process.ExitCode}.");
            }

            try
            {
                using var response = await Http.GetAsync(new Uri($"http://127.0.0.1:{port}/healthz"), cancellationToken);
                if (response.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }

            await Task.Delay(50, cancellationToken);
        }

        throw new InvalidOperationException("not healthy within 30 s.");
    }

    private static async ValueTask StopAsync(Process process)
    {
        if (!process.HasExited)
        {
            process.Kill(entireProcessTree: true);
        }

        await process.WaitForExitAsync();
        process.Dispose();
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
