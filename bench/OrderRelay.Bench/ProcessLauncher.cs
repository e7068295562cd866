using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace OrderRelay.Bench;

/// <summary>
/// Starts a server as a child process on a fresh loopback port and waits for its
/// <c>/healthz</c>: OrderRelay from its build, or a peer under <c>bench/peers/</c>.
/// </summary>
/// <param name="configuration">The build that .NET servers run from: Release for figures; the tests run their own.</param>
internal sealed class ProcessLauncher(string name, string repositoryRoot, string configuration = "Release") : IServerLauncher
{
    public const string OrderRelay = "orderrelay";
    public const string NodeWs = "node-ws";

    /// <summary>The least a relay on Kestrel and ManagedWebSocket does (bench/peers/kestrel-floor): what the platform costs OrderRelay.</summary>
    public const string KestrelFloor = "kestrel-floor";

    /// <summary>The store name that starts two OrderRelay nodes on one fresh redis-server.</summary>
    public const string RedisCluster = "redis-cluster";

    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(2) };

    public string Name { get; } = name;

    /// <summary><c>orderrelay-before</c> and the like are OrderRelay builds too, from another checkout (<c>--servers orderrelay-before=/path</c>).</summary>
    private string Kind => Name.StartsWith(OrderRelay, StringComparison.Ordinal) ? OrderRelay : Name;

    public async Task<RunningServer> StartAsync(string store, CancellationToken cancellationToken)
    {
        if (store != RedisCluster)
        {
            return await StartOneAsync(store, [], cancellationToken);
        }

        if (Kind != OrderRelay)
        {
            throw new NotSupportedException($"{Name} has no cluster mode");
        }

        // Redis here keeps nothing on disk: the cluster's fan-out is measured, not Redis's fsync.
        var redisPort = FreePort();
        var redis = Process.Start(new ProcessStartInfo("redis-server",
            ["--port", redisPort.ToString(System.Globalization.CultureInfo.InvariantCulture), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        }) ?? throw new NotSupportedException("redis-server could not be started");
        redis.OutputDataReceived += (_, _) => { };
        redis.BeginOutputReadLine();
        string[] redisSettings = ["--Relay:Redis:Configuration=127.0.0.1:" + redisPort, "--Relay:Redis:KeyPrefix=bench:"];
        var nodes = new List<RunningServer>();
        try
        {
            for (var i = 0; i < 2; i++)
            {
                nodes.Add(await StartOneAsync("redis", redisSettings, cancellationToken));
            }
        }
        catch
        {
            foreach (var node in nodes)
            {
                await node.DisposeAsync();
            }

            await StopAsync(redis);
            throw;
        }

        return new RunningServer(nodes[0].WebSocketUri, nodes[0].ProcessId, async () =>
        {
            foreach (var node in nodes)
            {
                await node.DisposeAsync();
            }

            await StopAsync(redis);
        }, [.. nodes.Select(node => node.WebSocketUri)]);
    }

    /// <summary>
    /// The pending-hello budget lifted like the other per-address limits, for builds that have one: a
    /// build compared with <c>--servers orderrelay-before=…</c> refuses settings it does not know.
    /// </summary>
    private string[] PendingHandshakeLimits() =>
        File.ReadAllText(Path.Combine(repositoryRoot, "OrderRelay/Configuration/LimitOptions.cs")).Contains("MaxPendingHandshakes", StringComparison.Ordinal)
            ? ["--Relay:Limits:MaxPendingHandshakesPerAddress=100000", "--Relay:Limits:MaxPendingHandshakes=100000"]
            : [];

    private async Task<RunningServer> StartOneAsync(string store, string[] extraSettings, CancellationToken cancellationToken)
    {
        var port = FreePort();
        var start = Kind switch
        {
            OrderRelay => new ProcessStartInfo("dotnet",
            [
                Path.Combine(repositoryRoot, "OrderRelay/bin", configuration, "net10.0/OrderRelay.dll"),
                $"--Relay:Port={port}", $"--Relay:Store={store}", "--Serilog:MinimumLevel:Default=Warning",
                // The relay is measured, not its per-publisher rate limit or its per-address limits: the
                // bench's 8 source addresses stand in for thousands of clients.
                "--Relay:Limits:PublishRatePerSecond=10000000", "--Relay:Limits:PublishBurst=10000000",
                "--Relay:Limits:MaxConnectionsPerAddress=100000",
                "--Relay:Sqlite:Path=" + JournalPath(port),
                .. PendingHandshakeLimits(),
                .. extraSettings,
            ]),
            NodeWs when store == "memory" => new ProcessStartInfo("node",
                [Path.Combine(repositoryRoot, "bench/peers/node-ws/server.js"), "--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture)]),
            NodeWs => throw new NotSupportedException("the node-ws peer keeps history in memory only"),
            KestrelFloor when store == "memory" => new ProcessStartInfo("dotnet",
                [Path.Combine(repositoryRoot, "bench/peers/kestrel-floor/bin", configuration, "net10.0/KestrelFloor.dll"), "--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture)]),
            KestrelFloor => throw new NotSupportedException("the kestrel-floor peer keeps history in memory only"),
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

        var server = new RunningServer(new Uri($"ws://127.0.0.1:{port}/"), process.Id, async () =>
        {
            await StopAsync(process);
            foreach (var file in Directory.GetFiles(Path.GetTempPath(), Path.GetFileName(JournalPath(port)) + "*"))
            {
                File.Delete(file);
            }
        });
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

    /// <summary>Each run's SQLite journal, deleted (with its WAL and lock files) when the run ends.</summary>
    private static string JournalPath(int port) => Path.Combine(Path.GetTempPath(), $"orderrelay-bench-{port}.db");

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
