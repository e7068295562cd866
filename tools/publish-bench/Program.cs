using System.Diagnostics;
using System.Globalization;
using PublishBench;

// Durable publish throughput with acks: for each store, a fresh relay child process per run,
// publishers each keeping up to 64 publishes in flight; the median of several runs is reported.
// Stores: memory, sqlite, and redis-wait0, redis-wait1, ... (Relay:Redis:WaitReplicas=N on the
// Redis that --redis names, each run under a fresh key prefix, deleted after the run).
var relayDll = Path.GetFullPath(ArgValue("--relay") ?? "OrderRelay/bin/Release/net10.0/OrderRelay.dll");
var runs = int.Parse(ArgValue("--runs") ?? "3", CultureInfo.InvariantCulture);
var seconds = double.Parse(ArgValue("--seconds") ?? "5", CultureInfo.InvariantCulture);
int[] publisherCounts = [.. (ArgValue("--publishers") ?? "1,4,16").Split(',').Select(count => int.Parse(count, CultureInfo.InvariantCulture))];
var stores = (ArgValue("--stores") ?? "memory,sqlite").Split(',');
var redis = ArgValue("--redis");
if (!File.Exists(relayDll))
{
    Console.Error.WriteLine($"Build the relay first (dotnet build -c Release OrderRelay); not found: {relayDll}");
    return 2;
}

if (redis is null && stores.Any(store => store.StartsWith("redis", StringComparison.Ordinal)))
{
    Console.Error.WriteLine("A redis store needs --redis CONFIGURATION (a StackExchange.Redis configuration string).");
    return 2;
}

Console.WriteLine($"relay {relayDll}, {runs} runs of {seconds} s, 64 in flight per publisher, {BenchPublisher.OrderBytes}-byte orders, {Environment.ProcessorCount} cores");
var medians = new Dictionary<(string, int), double>();
foreach (var publishers in publisherCounts)
{
    // Stores alternate run by run, so that both see the same moments of a shared machine's load.
    var figures = stores.ToDictionary(store => store, _ => new List<double>());
    for (var run = 0; run < runs; run++)
    {
        foreach (var store in stores)
        {
            var workDir = Directory.CreateTempSubdirectory("publish-bench-");
            // A fresh key prefix per run: each starts with an empty stream, as each SQLite run with a fresh file.
            var redisRun = redis is null ? ((string, string)?)null : (redis, $"publish-bench-{Guid.NewGuid():N}:");
            try
            {
                await using (var relay = await RelayChild.StartAsync(relayDll, workDir.FullName, store, redisRun))
                {
                    figures[store].Add(await MeasureAsync(relay.WebSocketUri, publishers, TimeSpan.FromSeconds(seconds)));
                }
            }
            finally
            {
                workDir.Delete(recursive: true);
                if (redisRun is var (configuration, keyPrefix) && store.StartsWith("redis", StringComparison.Ordinal))
                {
                    await RedisScratch.DeleteKeysAsync(configuration, keyPrefix);
                }
            }
        }
    }

    foreach (var store in stores)
    {
        var sorted = figures[store].Order().ToList();
        medians[(store, publishers)] = sorted[sorted.Count / 2];
        Console.WriteLine($"{store,-7} {publishers,2} publishers: {string.Join(" ", figures[store].Select(f => f.ToString("N0", CultureInfo.InvariantCulture)))} acked/s, median {medians[(store, publishers)]:N0}");
    }
}

Console.WriteLine();
Console.WriteLine($"| Publishers | {string.Join(" | ", stores.Select(store => store + " (acked orders/s)"))} | {stores[^1]} / {stores[0]} |");
Console.WriteLine($"| ---: |{string.Concat(stores.Select(_ => " ---: |"))} ---: |");
foreach (var publishers in publisherCounts)
{
    var first = medians[(stores[0], publishers)];
    var last = medians[(stores[^1], publishers)];
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"| {publishers} | {string.Join(" | ", stores.Select(store => medians[(store, publishers)].ToString("N0", CultureInfo.InvariantCulture)))} | {last / first:P0} |"));
}

return 0;

static async Task<double> MeasureAsync(Uri relay, int publisherCount, TimeSpan duration)
{
    var publishers = new List<BenchPublisher>();
    for (var i = 0; i < publisherCount; i++)
    {
        publishers.Add(await BenchPublisher.ConnectAsync(relay, i));
    }

    using var stop = new CancellationTokenSource();
    var running = publishers.Select(publisher => publisher.RunAsync(stop.Token)).ToList();
    // One second of warm-up (JIT, SQLite page cache, WAL growth) is not counted.
    await Task.Delay(TimeSpan.FromSeconds(1));
    var startAcks = publishers.Sum(publisher => publisher.Acked);
    var clock = Stopwatch.StartNew();
    await Task.Delay(duration);
    var acks = publishers.Sum(publisher => publisher.Acked) - startAcks;
    var elapsed = clock.Elapsed.TotalSeconds;
    await stop.CancelAsync();
    await Task.WhenAll(running);
    foreach (var publisher in publishers)
    {
        await publisher.DisposeAsync();
    }

    return acks / elapsed;
}

string? ArgValue(string name)
{
    var index = Array.IndexOf(args, name);
    return index >= 0 && index + 1 < args.Length ? args[index + 1] : null;
}
