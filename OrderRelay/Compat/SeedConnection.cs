using System.Net.WebSockets;
using System.Threading.RateLimiting;
using Microsoft.Extensions.Logging;
using OrderRelay.Connections;
using OrderRelay.Core;
using OrderRelay.Diagnostics;
using OrderRelay.Protocol;

namespace OrderRelay.Compat;

/// <summary>
/// One client of the seed's own programs on <c>Relay:Compat:SeedPath</c> (docs/compat.md). It
/// says no hello: it is subscribed to every order from the start, so that nothing published while
/// it makes up its mind is missed, and its first frame, if one comes within <c>Relay:HandshakeTimeout</c>,
/// makes it a publisher of bare order objects instead. Orders go out as their bare bytes. The
/// seed's clients read no error frames, so every refusal is a close whose reason says why.
/// </summary>
internal sealed partial class SeedConnection : QueueDrainingConnection
{
    private readonly WebSocket _socket;
    private readonly RelayConnectionServices _services;
    private readonly ILogger _logger;
    private readonly MessageReceiver _receiver;
    private readonly OutboundQueue _outbound;
    private readonly CancellationTokenSource _lifetime = new();
    private readonly bool _keyAccepted;
    private readonly Subscriber _subscriber;
    private (WebSocketCloseStatus Code, string Reason)? _close;
    private ITimer? _abortTimer;
    private Task _catchUp = Task.CompletedTask;
    private RateLimiter? _publishRate;
    private string? _role;
    private volatile bool _drainFirst;

    /// <param name="keyAccepted">The connection's <c>?key=</c> is a valid publisher key (or none is required).</param>
    public SeedConnection(WebSocket socket, string id, string client, bool keyAccepted, RelayConnectionServices services, ILogger<SeedConnection> logger)
    {
        _socket = socket;
        _services = services;
        _logger = logger;
        Id = id;
        Client = client;
        _keyAccepted = keyAccepted;
        _receiver = new MessageReceiver(socket, services.Options.MaxMessageBytes);
        _outbound = new OutboundQueue(services.Options.SubscriberQueueLimit,
            () => RequestClose(CloseCodes.TryAgainLater, "slow_consumer: fell too far behind; reconnect (the seed path has no replay)"), drain: this);
        _subscriber = new Subscriber(id, MerchantFilter.Everything, _outbound, Relay.Epoch,
            static connection => ((SeedConnection)connection).RequestClose(CloseCodes.TryAgainLater, "epoch_changed: the relay's history restarted; reload"),
            this);
    }

    public string Id { get; }

    public string Client { get; }

    private Relay Relay => _services.Relay;

    private RelayMetrics Metrics => _services.Metrics;

    public async Task RunAsync()
    {
        _catchUp = GoLiveAsync();
        try
        {
            var peerClosed = await ReceiveLoopAsync().ConfigureAwait(false);
            if (peerClosed)
            {
                RequestClose(CloseCodes.Normal, "");
            }

            await SendingEnded.ConfigureAwait(false);
        }
        finally
        {
            await _lifetime.CancelAsync().ConfigureAwait(false);
            await _catchUp.ConfigureAwait(false);
            Relay.Unsubscribe(_subscriber);
            if (_role is { } role)
            {
                Metrics.Connections.WithLabels(role).Dec();
            }

            _abortTimer?.Dispose();
            _publishRate?.Dispose();
            _lifetime.Dispose();
            LogClosed(Id, _role ?? "undecided", _close?.Code ?? CloseCodes.Normal);
        }
    }

    /// <summary>Closes with 1001 once queued orders are out, as the relay's own connections do on shutdown.</summary>
    public void Shutdown() => RequestClose(CloseCodes.Shutdown, "server_shutdown: the relay is shutting down", drainFirst: true);

    /// <summary>Live from now: the seed path replays nothing, the seed's page never asked for it.</summary>
    private async Task GoLiveAsync()
    {
        try
        {
            await Relay.CatchUpAndGoLiveAsync(_subscriber, Relay.LastSeq, isResume: false, _lifetime.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // The connection ended first.
        }
    }

    /// <summary>The first request wins; the drain sends the close, and a timer aborts a peer that stalls.</summary>
    private void RequestClose(WebSocketCloseStatus code, string reason, bool drainFirst = false)
    {
        lock (_outbound)
        {
            if (_close is not null)
            {
                return;
            }

            _close = (code, reason);
            _drainFirst = drainFirst;
        }

        if (code is not CloseCodes.Normal and not CloseCodes.Shutdown)
        {
            LogClosing(Id, (int)code, reason);
        }

        _outbound.Complete();
        _abortTimer = _services.Time.CreateTimer(static state => ((SeedConnection)state!).Abort(), this,
            drainFirst ? _services.Options.CloseTimeout * 2 : _services.Options.CloseTimeout, Timeout.InfiniteTimeSpan);
    }

    private protected override WebSocket Socket => _socket;

    private protected override OutboundQueue Outbound => _outbound;

    private protected override CancellationTokenSource Lifetime => _lifetime;

    private protected override async ValueTask SendCloseAsync()
    {
        if (_close is { } close && _socket.State is WebSocketState.Open or WebSocketState.CloseReceived)
        {
            await _socket.CloseOutputAsync(close.Code, close.Reason, CancellationToken.None).ConfigureAwait(false);
        }
    }

    /// <summary>Sends every order queued now; false when a close that does not wait for the queue cuts it short.</summary>
    private protected override async ValueTask<bool> SendQueuedAsync()
    {
        var deliveries = 0;
        var oldest = 0L;
        try
        {
            while (_outbound.TryDequeue(out var frame))
            {
                if (_close is not null && !_drainFirst)
                {
                    return false;
                }

                if (frame is OrderRecord order)
                {
                    await _socket.SendAsync(order.Order, WebSocketMessageType.Text, endOfMessage: true, CancellationToken.None).ConfigureAwait(false);
                    order.NoteWritten();
                    oldest = deliveries++ == 0 ? order.AcceptedTimestamp : oldest;
                }
            }

            return true;
        }
        finally
        {
            Metrics.RecordSendBurst(deliveries, oldest);
        }
    }
}
