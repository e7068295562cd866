using System.Threading.Channels;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace OrderRelay.Tests.Support;

/// <summary>
/// An escalation webhook on a loopback ephemeral port (Kestrel): records every call with its body
/// and headers, and answers 503 to the first <see cref="FailFirst"/> calls, 200 after; with
/// <c>holdFirst</c>, the first call gets no answer at all until its caller gives up.
/// </summary>
internal sealed class WebhookReceiver : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly Channel<WebhookCall> _calls = Channel.CreateUnbounded<WebhookCall>();
    private int _answered;

    private WebhookReceiver(int failFirst, bool holdFirst)
    {
        FailFirst = failFirst;
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        _app = builder.Build();
        _app.MapPost("/hook", async (HttpContext context) =>
        {
            using var body = new MemoryStream();
            await context.Request.Body.CopyToAsync(body);
            var headers = context.Request.Headers.ToDictionary(header => header.Key, header => header.Value.ToString(), StringComparer.OrdinalIgnoreCase);
            var number = Interlocked.Increment(ref _answered);
            var failing = number <= FailFirst;
            _calls.Writer.TryWrite(new WebhookCall(body.ToArray(), headers, failing ? 503 : 200));
            if (holdFirst && number == 1)
            {
                await Task.Delay(Timeout.Infinite, context.RequestAborted).ContinueWith(_ => { }, TaskScheduler.Default);
            }

            return failing ? Results.StatusCode(503) : Results.Ok();
        });
    }

    public int FailFirst { get; }

    public Uri Url { get; private set; } = null!;

    public static async Task<WebhookReceiver> StartAsync(int failFirst = 0, bool holdFirst = false)
    {
        var receiver = new WebhookReceiver(failFirst, holdFirst);
        await receiver._app.StartAsync().WaitAsync(TimeSpan.FromSeconds(30));
        var address = receiver._app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        receiver.Url = new Uri(address + "/hook");
        return receiver;
    }

    /// <summary>The next call, in the order they came.</summary>
    public async Task<WebhookCall> NextCallAsync(TimeSpan? wait = null) =>
        await CallWithinAsync(wait ?? TimeSpan.FromSeconds(30)) ?? throw new TimeoutException("No webhook call came.");

    /// <summary>A call that arrives within <paramref name="wait"/>, or null.</summary>
    public async Task<WebhookCall?> CallWithinAsync(TimeSpan wait)
    {
        // Cancelled rather than abandoned: a read left pending would take the next call.
        using var timeout = new CancellationTokenSource(wait);
        try
        {
            return await _calls.Reader.ReadAsync(timeout.Token);
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested)
        {
            return null;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync().WaitAsync(TimeSpan.FromSeconds(15));
        await _app.DisposeAsync();
    }
}

internal sealed record WebhookCall(byte[] Body, IReadOnlyDictionary<string, string> Headers, int AnsweredStatus)
{
    public System.Text.Json.JsonElement Json => System.Text.Json.JsonDocument.Parse(Body).RootElement;
}
