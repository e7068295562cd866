using System.Net;
using System.Net.Http.Headers;
using System.Net.WebSockets;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using OrderRelay.Connections;
using OrderRelay.Core;
using OrderRelay.Hosting;

namespace OrderRelay.Tests.Support;

/// <summary>
/// A real relay in this process on a loopback ephemeral port, built exactly as Program
/// builds it; disposal stops it and surfaces anything that failed on the way.
/// </summary>
internal sealed class RelayServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly TempDirectory? _journalDirectory;

    private RelayServer(WebApplication app, Uri httpBase, TempDirectory? journalDirectory, RelayLog log)
    {
        _app = app;
        _journalDirectory = journalDirectory;
        Log = log;
        HttpBase = httpBase;
        WebSocketUri = new Uri($"ws://{httpBase.Authority}/");
        Http = new HttpClient { BaseAddress = httpBase, Timeout = TimeSpan.FromSeconds(10) };
        Http.DefaultRequestHeaders.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
    }

    public Uri HttpBase { get; }

    public Uri WebSocketUri { get; }

    public HttpClient Http { get; }

    /// <summary>What this relay logs, at the levels its settings let through (Warning unless a setting says otherwise).</summary>
    public RelayLog Log { get; }

    public IServiceProvider Services => _app.Services;

    public Relay Relay => Services.GetRequiredService<Relay>();

    public ConnectionRegistry Connections => Services.GetRequiredService<ConnectionRegistry>();

    /// <param name="settings">Extra configuration as <c>Key=Value</c>, e.g. <c>Relay:HistoryLimit=10</c>.
    /// The memory store unless a setting asks for <c>Relay:Store=sqlite</c>; a SQLite relay whose settings
    /// name no <c>Relay:Sqlite:Path</c> gets a journal in a directory of its own, deleted with the relay.</param>
    public static async Task<RelayServer> StartAsync(params string[] settings)
    {
        var args = new List<string>
        {
            "--Relay:Port=0",
            "--Relay:Store=memory",
            "--Serilog:MinimumLevel:Default=Warning",
            "--Serilog:MinimumLevel:Override:Microsoft.Hosting.Lifetime=Warning",
        };
        var log = RelayLog.Create();
        args.AddRange(log.Settings.Select(setting => "--" + setting));
        args.AddRange(settings.Select(setting => "--" + setting));
        var journalDirectory = settings.Contains("Relay:Store=sqlite") && !settings.Any(setting => setting.StartsWith("Relay:Sqlite:Path=", StringComparison.Ordinal))
            ? new TempDirectory()
            : null;
        if (journalDirectory is not null)
        {
            args.Add("--Relay:Sqlite:Path=" + journalDirectory.File("journal.db"));
        }

        try
        {
            var app = RelayApplication.Build([.. args]);
            await app.StartAsync().WaitAsync(TimeSpan.FromSeconds(30));
            var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
            return new RelayServer(app, new Uri(address.Replace("[::]", "127.0.0.1", StringComparison.Ordinal).Replace("0.0.0.0", "127.0.0.1", StringComparison.Ordinal) + "/"),
                journalDirectory, log);
        }
        catch
        {
            log.Close();
            journalDirectory?.Dispose();
            throw;
        }
    }

    public Task<WsClient> ConnectAsync(CancellationToken cancellationToken = default) => WsClient.ConnectAsync(WebSocketUri, cancellationToken: cancellationToken);

    /// <param name="helloJson">The hello to say, e.g. <c>SecuredRelay.PublisherHello()</c> on a relay that wants a key.</param>
    public Task<WsClient> ConnectPublisherAsync(string helloJson = WsClient.PublisherHello) => WsClient.ConnectAndHelloAsync(WebSocketUri, helloJson);

    public Task<WsClient> ConnectSubscriberAsync(string helloJson = WsClient.SubscriberHello) => WsClient.ConnectAndHelloAsync(WebSocketUri, helloJson);

    /// <summary>Connects, sends <paramref name="firstFrame"/>, and expects the error <paramref name="code"/> and then the close 1008.</summary>
    public async Task ExpectRefusedAsync(string firstFrame, string code)
    {
        await using var client = await ConnectAsync();
        await client.SendAsync(firstFrame);
        await client.ExpectErrorThenCloseAsync(code, WebSocketCloseStatus.PolicyViolation);
    }

    /// <summary>
    /// Asks /healthz until it answers <paramref name="expected"/>: store health is refreshed in the
    /// background, so it follows an outage or its end within a ping. Each answer must come within a second.
    /// </summary>
    public async Task WaitForHealthAsync(HttpStatusCode expected)
    {
        using var client = new HttpClient { BaseAddress = HttpBase, Timeout = TimeSpan.FromSeconds(1) };
        await Eventually.UntilAsync(async () =>
        {
            using var response = await client.GetAsync("/healthz");
            return response.StatusCode;
        }, status => status == expected, $"/healthz to answer {expected}", TimeSpan.FromSeconds(15), TimeSpan.FromMilliseconds(100));
    }

    public async Task StopAsync() => await _app.StopAsync().WaitAsync(TimeSpan.FromSeconds(15));

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        try
        {
            await StopAsync();
        }
        finally
        {
            await _app.DisposeAsync();
            Log.Close();
            _journalDirectory?.Dispose();
        }
    }
}
