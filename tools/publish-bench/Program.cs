using System.Diagnostics;
using System.Globalization;
using PublishBench;

// Durable publish throughput with acks: for each store, a fresh relay child process per run,
// publishers each keeping up to 64 publishes in flight; the median of several runs is reported.
var relayDll = Path.GetFullPath(ArgValue("--relay") ?? "OrderRelay/bin/Release/net10.0/OrderRelay.dll");
var runs = int.Parse(ArgValue("--runs") ?? "3", CultureInfo.InvariantCulture);
var seconds = double.Parse(ArgValue("--seconds") ?? "5", CultureInfo.InvariantCulture);
int[] publisherCounts = [1, 4, 16];
string[] stores = ["memory", "sqlite"];
if (!File.Exists(relayDll))
{
    Console.Error.WriteLine($"Build the relay first (dotnet build -c Release OrderRelay); not found: {relayDll}");
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
            try
            {
                await using var relay = await RelayChild.StartAsync(relayDll, workDir.FullName, store);
                figures[store].Add(await MeasureAsync(relay.WebSocketUri, publishers, TimeSpan.FromSeconds(seconds)));
            }
            finally
            {
                workDir.Delete(recursive: true);
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
Console.WriteLine("| Publishers | memory (acked orders/s) | sqlite (acked orders/s) | sqlite / memory |");
Console.WriteLine("| ---: | ---: | ---: | ---: |");
foreach (var publishers in publisherCounts)
{
    var memory = medians[("memory", publishers)];
    var sqlite = medians[("sqlite", publishers)];
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {publishers} | {memory:N0} | {sqlite:N0} | {sqlite / memory:P0} |"));
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
