// The least a protocol-v1 relay on Kestrel and ManagedWebSocket can do, for the benchmark to
// measure beside OrderRelay: what the platform costs before any relay logic. It does what the
// node-ws peer does and no more (hello/welcome, routing by merchant_id, acks with seq, the
// order forwarded verbatim, each delivery encoded once and shared, in-memory history with
// `since` replay, POST /publish, pings every 15 s) and, like that peer, fans out on the
// publisher's own thread: a send to an idle socket completes there, without a thread-pool hop.
// No durability, no auth, no limits: a floor, not a product. Usage: KestrelFloor --port 8080
using System.Net;
using KestrelFloor;

var port = int.Parse(args.SkipWhile(argument => argument != "--port").Skip(1).FirstOrDefault() ?? "8080", System.Globalization.CultureInfo.InvariantCulture);
var builder = WebApplication.CreateSlimBuilder();
builder.Logging.ClearProviders();
builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, port));
var app = builder.Build();
var relay = new FloorRelay();
app.UseWebSockets(new WebSocketOptions { KeepAliveInterval = TimeSpan.FromSeconds(15), KeepAliveTimeout = TimeSpan.FromSeconds(30) });
app.MapGet("/healthz", () => "ok\n");
app.MapPost("/publish", relay.PublishOverHttpAsync);
app.Map("/", async context =>
{
    if (!context.WebSockets.IsWebSocketRequest)
    {
        context.Response.StatusCode = StatusCodes.Status426UpgradeRequired;
        return;
    }

    using var socket = await context.WebSockets.AcceptWebSocketAsync();
    await relay.RunAsync(socket);
});
Console.WriteLine($"kestrel-floor peer on ws://127.0.0.1:{port}/ (epoch {relay.Epoch})");
app.Run();
