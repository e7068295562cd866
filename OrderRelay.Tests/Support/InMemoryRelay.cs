using System.IO.Pipelines;
using System.Net;
using System.Net.WebSockets;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using OrderRelay.Connections;
using OrderRelay.Core;
using OrderRelay.Hosting;

namespace OrderRelay.Tests.Support;

/// <summary>
/// The relay's services as the host composes them, with no Kestrel and no TCP: each connection
/// is a <see cref="RelayConnection"/> over an in-memory pipe pair, and its clock is a fake one
/// the test moves, so timeouts happen exactly when the test says.
/// </summary>
internal sealed class InMemoryRelay : IAsyncDisposable
{
    private readonly WebApplication _app;

    private InMemoryRelay(WebApplication app, RelayConnectionServices services, ObservedTime time)
    {
        _app = app;
        Services = services;
        Time = time;
    }

    public ObservedTime Time { get; }

    public RelayConnectionServices Services { get; }

    public Relay Relay => Services.Relay;

    /// <param name="settings">Configuration as <c>Key=Value</c>, e.g. <c>Relay:HandshakeTimeout=00:00:05</c>.</param>
    public static async Task<InMemoryRelay> StartAsync(params string[] settings)
    {
        var app = RelayApplication.Build(["--Relay:Store=memory", "--Serilog:MinimumLevel:Default=Warning", .. settings.Select(setting => "--" + setting)]);
        var time = new ObservedTime();
        var services = app.Services.GetRequiredService<RelayConnectionServices>() with { Time = time };
        await services.Relay.StartAsync(CancellationToken.None);
        return new InMemoryRelay(app, services, time);
    }

    /// <summary>A client socket whose peer is a new relay connection, already running.</summary>
    public (WsClient Client, RelayConnection Connection) Connect()
    {
        var toRelay = new Pipe();
        var toClient = new Pipe();
        var relaySocket = WebSocket.CreateFromStream(new DuplexPipeStream(new DuplexPipe(toRelay.Reader, toClient.Writer)),
            new WebSocketCreationOptions { IsServer = true });
        var clientSocket = WebSocket.CreateFromStream(new DuplexPipeStream(new DuplexPipe(toClient.Reader, toRelay.Writer)),
            new WebSocketCreationOptions { IsServer = false });
        var admission = Services.Admission.Admit(IPAddress.Loopback, origin: null);
        Assert.That(admission.Lease, Is.Not.Null, admission.Refusal);
        var connection = new RelayConnection(relaySocket, Services.Registry.NextConnectionId(), admission, Services);
        Assert.That(Services.Registry.TryAdd(connection), Is.True);
        // What Kestrel does when a connection's task ends: the transport closes, so the peer reads its end.
        _ = connection.RunAsync().ContinueWith(_ =>
        {
            toClient.Writer.Complete();
            toRelay.Reader.Complete();
            relaySocket.Dispose();
        }, TaskScheduler.Default);
        return (WsClient.Over(clientSocket), connection);
    }

    public async ValueTask DisposeAsync()
    {
        await Relay.StopAsync();
        await _app.DisposeAsync();
    }

    private sealed record DuplexPipe(PipeReader Input, PipeWriter Output) : IDuplexPipe;
}

/// <summary>A fake clock that also says when something starts a timer on it, so a test moves time only once the timer it means exists.</summary>
internal sealed class ObservedTime : FakeTimeProvider
{
    private readonly SemaphoreSlim _timersCreated = new(0);

    public ObservedTime() => AutoAdvanceAmount = TimeSpan.Zero;

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = base.CreateTimer(callback, state, dueTime, period);
        _timersCreated.Release();
        return timer;
    }

    /// <summary>Waits (bounded) until the next timer is created on this clock.</summary>
    public Task NextTimerAsync() => _timersCreated.WaitAsync(WsClient.DefaultWait).ContinueWith(
        waited => Assert.That(waited.Result, Is.True, "no timer was started on the relay's clock"), TaskScheduler.Default);
}
