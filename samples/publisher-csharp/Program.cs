// Publishes a few orders to OrderRelay over WebSocket (waiting for each ack), then one more
// with a plain HTTP POST /publish.
//
//   dotnet run --project samples/publisher-csharp -- [--relay ws://127.0.0.1:8080/] [--count 3]
//
// The publisher key (when the relay has keys configured) comes from ORDERRELAY_KEY.
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using PublisherSample;

var relay = new Uri(Option("--relay") ?? "ws://127.0.0.1:8080/");
var count = int.Parse(Option("--count") ?? "3", System.Globalization.CultureInfo.InvariantCulture);
var publisherKey = Environment.GetEnvironmentVariable("ORDERRELAY_KEY");
using var stop = new CancellationTokenSource(TimeSpan.FromMinutes(2));
var firstOrderId = DateTimeOffset.UtcNow.ToUnixTimeSeconds() % 1_000_000 * 10;

try
{
    await using (var publisher = new WebSocketPublisher(relay, publisherKey))
    {
        for (var i = 0; i < count; i++)
        {
            var orderId = firstOrderId + i;
            var (seq, duplicate) = await publisher.PublishAsync($"ord-{orderId}", Order(orderId, "张三", 100.00m + i), stop.Token);
            Console.WriteLine($"websocket ord-{orderId} stored as seq {seq}{(duplicate ? " (already stored before)" : "")}");
        }
    }

    await PublishOverHttpAsync(firstOrderId + count);
    return 0;
}
catch (Exception ex) when (ex is InvalidOperationException or HttpRequestException or IOException
    or System.Net.WebSockets.WebSocketException or TimeoutException or OperationCanceledException)
{
    Console.Error.WriteLine($"Publishing failed: {ex.Message}");
    return 1;
}

// POST /publish: one request per order, no socket to keep; the Idempotency-Key makes a retry safe.
async Task PublishOverHttpAsync(long orderId)
{
    var httpBase = new UriBuilder(relay) { Scheme = relay.Scheme == "wss" ? "https" : "http", Path = "/publish" }.Uri;
    using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(15) };
    using var request = new HttpRequestMessage(HttpMethod.Post, httpBase)
    {
        Content = new StringContent(Order(orderId, "Amélie Laurent", 42.50m).ToJsonString(), Encoding.UTF8, "application/json"),
    };
    request.Headers.Add("Idempotency-Key", $"ord-{orderId}");
    if (!string.IsNullOrEmpty(publisherKey))
    {
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", publisherKey);
    }

    using var response = await http.SendAsync(request, stop.Token);
    var body = await response.Content.ReadAsStringAsync(stop.Token);
    if (!response.IsSuccessStatusCode)
    {
        // The body is an RFC 9457 problem saying why.
        throw new HttpRequestException($"POST /publish answered {(int)response.StatusCode}: {body}");
    }

    var seq = JsonDocument.Parse(body).RootElement.GetProperty("seq").GetInt64();
    Console.WriteLine($"http      ord-{orderId} stored as seq {seq}");
}

static JsonObject Order(long orderId, string customer, decimal amount) => new()
{
    ["order_id"] = orderId,
    ["merchant_id"] = "m-1001",
    ["customer_name"] = customer,
    ["order_amount"] = amount,
    ["currency"] = "CNY",
};

string? Option(string name)
{
    var index = Array.IndexOf(args, name);
    return index >= 0 && index + 1 < args.Length ? args[index + 1] : null;
}
