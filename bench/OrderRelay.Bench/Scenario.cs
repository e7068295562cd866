namespace OrderRelay.Bench;

/// <summary>A figure a scenario reports; <see cref="HigherIsBetter"/> says which way the ratio should point.</summary>
internal sealed record Metric(string Key, string Label, string Unit, bool HigherIsBetter);

/// <summary>One benchmark scenario: everything one measured run does against a freshly started server.</summary>
internal abstract class Scenario(BenchSizes sizes)
{
    protected BenchSizes Sizes { get; } = sizes;

    public abstract string Name { get; }

    /// <summary>The store the server is started with.</summary>
    public virtual string Store => "memory";

    public abstract IReadOnlyList<Metric> Metrics { get; }

    /// <summary>A one-line description of the load, printed and kept with the results.</summary>
    public abstract string Description { get; }

    /// <summary>Warms the server up, measures once, and returns a value for each metric.</summary>
    public abstract Task<IReadOnlyDictionary<string, double>> RunOnceAsync(RunningServer server, CancellationToken cancellationToken);

    protected WsConnector Connector(RunningServer server) => new(server.WebSocketUri, Sizes.SourceAddresses);

    /// <summary>One connector per node; on a cluster, subscriber <c>i</c> goes to node <c>i % nodes</c>.</summary>
    protected IReadOnlyList<WsConnector> Connectors(RunningServer server) => [.. server.Nodes.Select(node => new WsConnector(node, Sizes.SourceAddresses))];

    /// <summary>Connects merchant pages (<see cref="BenchSubscriber"/>'s remarks), one merchant each from <paramref name="merchantOf"/>.</summary>
    protected static Task<List<BenchSubscriber>> ConnectPagesAsync(WsConnector connector, int count, int concurrency,
        Func<int, string> merchantOf, CancellationToken cancellationToken, Action<BenchSubscriber>? onConnected = null) =>
        ConnectSubscribersAsync([connector], count, concurrency, merchantOf, cancellationToken, onConnected, pages: true);

    protected static Task<List<BenchSubscriber>> ConnectSubscribersAsync(WsConnector connector, int count, int concurrency,
        Func<int, string?> merchantOf, CancellationToken cancellationToken, Action<BenchSubscriber>? onConnected = null) =>
        ConnectSubscribersAsync([connector], count, concurrency, merchantOf, cancellationToken, onConnected);

    protected static async Task<List<BenchSubscriber>> ConnectSubscribersAsync(IReadOnlyList<WsConnector> connectors, int count, int concurrency,
        Func<int, string?> merchantOf, CancellationToken cancellationToken, Action<BenchSubscriber>? onConnected = null, bool pages = false)
    {
        var subscribers = new BenchSubscriber[count];
        await Parallel.ForEachAsync(Enumerable.Range(0, count), new ParallelOptions { MaxDegreeOfParallelism = concurrency, CancellationToken = cancellationToken },
            async (i, token) =>
            {
                subscribers[i] = await BenchSubscriber.ConnectAsync(connectors[i % connectors.Count], merchantOf(i), since: null, token, pages);
                onConnected?.Invoke(subscribers[i]);
            });
        return [.. subscribers];
    }

    protected static void ThrowIfAnyFailed(IEnumerable<BenchSubscriber> subscribers, BenchPublisher? publisher = null)
    {
        if (publisher?.Failure is { } publisherFailure)
        {
            throw new BenchRunFailedException("publisher: " + publisherFailure);
        }

        var failed = subscribers.Where(s => s.Failure is not null).ToList();
        if (failed.Count > 0)
        {
            throw new BenchRunFailedException($"{failed.Count} subscribers failed, e.g. {failed[0].Failure}");
        }
    }

    /// <summary>Polls (every millisecond, the bench's only clock) until <paramref name="done"/> holds or the limit passes.</summary>
    protected static async Task WaitUntilAsync(Func<bool> done, TimeSpan limit, string what, CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow + limit;
        while (!done())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new BenchRunFailedException($"{what} did not happen within {limit.TotalSeconds:0.#} s");
            }

            await Task.Delay(1, cancellationToken);
        }
    }

    /// <summary>
    /// The load generator's own CPU time: it shares the cores with the server, so what it spends
    /// per unit of work caps what any server can reach on the machine.
    /// </summary>
    protected static double ClientCpuSeconds()
    {
        using var self = System.Diagnostics.Process.GetCurrentProcess();
        return self.TotalProcessorTime.TotalSeconds;
    }

    protected static void DisposeAll(IEnumerable<IDisposable> connections)
    {
        foreach (var connection in connections)
        {
            connection.Dispose();
        }
    }
}

/// <summary>A run that could not be measured (a client failed, or the server fell behind a bound).</summary>
internal sealed class BenchRunFailedException(string message) : Exception(message);
