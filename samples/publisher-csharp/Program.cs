// Publishes a few orders to OrderRelay with the OrderRelay.Client library: over one WebSocket
// (pipelined, each completing when the relay has stored it), then one more over HTTP.
//
//   dotnet run --project samples/publisher-csharp -- [--relay ws://127.0.0.1:8080/] [--count 3]
//
// The publisher key (when the relay has keys configured) comes from ORDERRELAY_KEY.
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using OrderRelay.Client;

var relay = new Uri(Option("--relay") ?? "ws://127.0.0.1:8080/");
var count = int.Parse(Option("--count") ?? "3", System.Globalization.CultureInfo.InvariantCulture);
var publisherKey = Environment.GetEnvironmentVariable("ORDERRELAY_KEY") is { Length: > 0 } key ? key : null;
using var stop = new CancellationTokenSource(TimeSpan.FromMinutes(2));
// The library logs reconnections and retries; here they go to standard error.
using var logging = LoggerFactory.Create(builder => builder
    .AddConsole(console => console.LogToStandardErrorThreshold = LogLevel.Trace)
    .AddSimpleConsole(console => console.SingleLine = true));
var firstOrderId = DateTimeOffset.UtcNow.ToUnixTimeSeconds() % 1_000_000 * 10;

try
{
    await using (var publisher = new RelayPublisher(new RelayPublisherOptions { RelayUri = relay, Key = publisherKey, Logger = logging.CreateLogger<RelayPublisher>() }))
    {
        // Sent together; the relay acknowledges them in order. The id makes every resend safe.
        var publishes = Enumerable.Range(0, count)
            .Select(i => publisher.PublishAsync(Order(firstOrderId + i, "张三", 100.00m + i), $"ord-{firstOrderId + i}", stop.Token));
        foreach (var receipt in await Task.WhenAll(publishes))
        {
            Print(receipt);
        }
    }

    // A backend that would rather not hold a socket: every publish is one POST /publish.
    await using (var overHttp = new RelayPublisher(new RelayPublisherOptions { RelayUri = relay, Key = publisherKey, UseWebSocket = false }))
    {
        Print(await overHttp.PublishAsync(Order(firstOrderId + count, "Amélie Laurent", 42.50m), $"ord-{firstOrderId + count}", stop.Token));
    }

    return 0;
}
catch (Exception ex) when (ex is RelayException or OperationCanceledException)
{
    // RelayException: the relay refused (bad key, bad order...); its message says why.
    Console.Error.WriteLine($"Publishing failed: {ex.Message}");
    return 1;
}

static void Print(PublishReceipt receipt) => Console.WriteLine(
    $"{(receipt.Transport == PublishTransport.WebSocket ? "websocket" : "http     ")} {receipt.Id} stored as seq {receipt.Seq}{(receipt.Duplicate ? " (already stored before)" : "")}");

// A JsonObject keeps 100.00 as written; any JSON object (string, bytes, a source-generated type) will do.
static string Order(long orderId, string customer, decimal amount) => new JsonObject
{
    ["order_id"] = orderId,
    ["merchant_id"] = "m-1001",
    ["customer_name"] = customer,
    ["order_amount"] = amount,
    ["currency"] = "CNY",
}.ToJsonString();

string? Option(string name)
{
    var index = Array.IndexOf(args, name);
    return index >= 0 && index + 1 < args.Length ? args[index + 1] : null;
}
