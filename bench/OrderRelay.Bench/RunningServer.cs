namespace OrderRelay.Bench;

/// <summary>A relay (OrderRelay or a peer) listening on loopback, started for one measured run.</summary>
internal sealed class RunningServer(Uri webSocketUri, int processId, Func<ValueTask> stop, IReadOnlyList<Uri>? nodes = null) : IAsyncDisposable
{
    public Uri WebSocketUri { get; } = webSocketUri;

    /// <summary>Every node of the server; one, unless it is a cluster (the first is <see cref="WebSocketUri"/>).</summary>
    public IReadOnlyList<Uri> Nodes { get; } = nodes ?? [webSocketUri];

    /// <summary>The process whose memory is measured; the whole process when the relay runs in-process.</summary>
    public int ProcessId { get; } = processId;

    /// <summary>Resident memory of the server process (VmRSS in /proc/PID/status).</summary>
    public long ReadRssBytes()
    {
        foreach (var line in File.ReadLines($"/proc/{ProcessId}/status"))
        {
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
            {
                return long.Parse(line["VmRSS:".Length..].Trim().Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture) * 1024;
            }
        }

        throw new InvalidOperationException("No VmRSS in /proc/" + ProcessId + "/status.");
    }

    /// <summary>CPU time the server process has used (user + system, from /proc/PID/stat), in seconds.</summary>
    public double ReadCpuSeconds()
    {
        var stat = File.ReadAllText($"/proc/{ProcessId}/stat");
        // Fields after the command name, which is in parentheses and may hold spaces; utime and stime are fields 14 and 15.
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        var ticks = long.Parse(fields[11], System.Globalization.CultureInfo.InvariantCulture) + long.Parse(fields[12], System.Globalization.CultureInfo.InvariantCulture);
        return ticks / 100.0;
    }

    public ValueTask DisposeAsync() => stop();
}

/// <summary>Starts a fresh server for each run.</summary>
internal interface IServerLauncher
{
    /// <summary>The name results are reported under: <c>orderrelay</c>, <c>kestrel-floor</c> or <c>node-ws</c>.</summary>
    string Name { get; }

    /// <exception cref="NotSupportedException">The server cannot run with this store.</exception>
    Task<RunningServer> StartAsync(string store, CancellationToken cancellationToken);
}
