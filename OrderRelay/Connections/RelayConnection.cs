using System.Diagnostics;
using System.Net.WebSockets;
using Microsoft.Extensions.Logging;
using OrderRelay.Configuration;
using OrderRelay.Core;
using OrderRelay.Diagnostics;
using OrderRelay.Protocol;

namespace OrderRelay.Connections;

/// <summary>
/// One WebSocket peer: a receive loop that reads messages and, once <see cref="Security.HelloAuthenticator"/>
/// has accepted the hello, hands each to the session of the connection's role (<see cref="ConnectionSession"/>);
/// and a drain of the bounded outgoing queue, the only writer to the socket, that runs only while
/// there is something to send. Whichever side ends first decides how the connection closes; the
/// other gets <c>CloseTimeout</c> before the socket is aborted.
/// </summary>
internal sealed partial class RelayConnection : QueueDrainingConnection
{
    private readonly WebSocket _socket;
    private readonly RelayConnectionServices _services;
    private readonly ILogger _logger;
    private readonly MessageReceiver _receiver;
    private readonly OutboundQueue _outbound;
    private readonly CancellationTokenSource _lifetime = new();
    private readonly TaskCompletionSource _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Security.ConnectionLimiter.ConnectionLease? _lease;
    private CloseRequest? _closeRequest;
    private ITimer? _abortTimer;
    private ConnectionSession? _session;

    public RelayConnection(WebSocket socket, string id, Admission admission, RelayConnectionServices services)
    {
        _socket = socket;
        _services = services;
        Id = id;
        _lease = admission.Lease;
        _logger = services.Logger;
        _receiver = new MessageReceiver(socket, Options.MaxMessageBytes);
        _outbound = new OutboundQueue(Options.SubscriberQueueLimit, () => RequestClose(CloseRequest.WithError(CloseCodes.TryAgainLater,
            ErrorCodes.SlowConsumer, "You fell too far behind; reconnect with since to get what you missed.", drainFirst: false)), drain: this);
    }

    public string Id { get; }

    /// <summary>The client's address, as <see cref="Security.ClientAddresses"/> decided it (behind a trusted proxy, the forwarded one).</summary>
    public string Client => _lease?.Address ?? "unknown";

    /// <summary>The role named in <c>hello</c>; null until then.</summary>
    public string? Role { get; private set; }

    /// <summary>Completes when both loops have ended and the connection is cleaned up.</summary>
    public Task Completion => _completion.Task;

    internal RelayConnectionServices Services => _services;

    private RelayOptions Options => _services.Options;

    private RelayMetrics Metrics => _services.Metrics;

    /// <returns>
    /// Why its receive loop ended: the upgrade edge drops a vanished peer's transport, and lets a
    /// peer that broke the protocol have the close <c>ManagedWebSocket</c> queued for it.
    /// </returns>
    public async Task<ReceiveEnding> RunAsync()
    {
        try
        {
            var ending = await ReceiveLoopAsync().ConfigureAwait(false);
            OnReceiveEnded(ending);
            await SendingEnded.ConfigureAwait(false);
            return ending;
        }
        finally
        {
            await _lifetime.CancelAsync().ConfigureAwait(false);
            if (_session is { } session)
            {
                await session.DisposeAsync().ConfigureAwait(false);
            }

            if (Role is { } role)
            {
                Metrics.Connections.WithLabels(role).Dec();
            }

            _abortTimer?.Dispose();
            _lifetime.Dispose();
            _services.Registry.Remove(this);
            LogClosed(Id, Role ?? "none", _closeRequest?.Code ?? CloseCodes.Normal, _socket.State);
            _completion.TrySetResult();
        }
    }

    /// <summary>Asks the connection to close with <c>server_shutdown</c> (1001) once queued frames are out.</summary>
    public void Shutdown() =>
        RequestClose(CloseRequest.WithError(CloseCodes.Shutdown, ErrorCodes.ServerShutdown, "The relay is shutting down; reconnect with since."));

    /// <summary>The one place a receive loop's ending becomes a close.</summary>
    private void OnReceiveEnded(ReceiveEnding ending)
    {
        switch (ending)
        {
            case ReceiveEnding.PeerClosed:
                RequestClose(CloseRequest.Normal);
                break;
            case ReceiveEnding.PeerVanished or ReceiveEnding.PeerBrokeProtocol:
                Abort();
                break;
            case ReceiveEnding.ClosedByRelay:
                break;
            default:
                throw new UnreachableException(ending.ToString());
        }
    }

    /// <summary>
    /// Starts closing: the first request wins. The queue stops taking frames, the drain
    /// sends the error and close frames, and a timer aborts the socket if the peer stalls.
    /// </summary>
    internal void RequestClose(CloseRequest request)
    {
        if (Interlocked.CompareExchange(ref _closeRequest, request, null) is not null)
        {
            return;
        }

        if (request.ErrorCode is { } code)
        {
            Metrics.Errors.WithLabels(code).Inc();
            LogClosing(Id, code, request.Code);
        }

        _outbound.Complete();
        var allowance = request.DrainFirst ? Options.CloseTimeout * 2 : Options.CloseTimeout;
        _abortTimer = _services.Time.CreateTimer(static state => ((RelayConnection)state!).Abort(), this, allowance, Timeout.InfiniteTimeSpan);
    }

    private protected override WebSocket Socket => _socket;

    private protected override OutboundQueue Outbound => _outbound;

    private protected override CancellationTokenSource Lifetime => _lifetime;

    private protected override async ValueTask SendCloseAsync()
    {
        if (_closeRequest is { } close && _socket.State is WebSocketState.Open or WebSocketState.CloseReceived)
        {
            if (close.ErrorFrame is { } error && _socket.State == WebSocketState.Open)
            {
                await _socket.SendAsync(error, WebSocketMessageType.Text, endOfMessage: true, CancellationToken.None).ConfigureAwait(false);
            }

            await _socket.CloseOutputAsync(close.Code, close.ErrorCode, CancellationToken.None).ConfigureAwait(false);
        }
    }

    /// <summary>Sends every frame queued now, one burst; false when a close cuts the queue short.</summary>
    private protected override async ValueTask<bool> SendQueuedAsync()
    {
        var deliveries = 0;
        var oldestAcceptedTimestamp = 0L;
        try
        {
            while (_outbound.TryDequeue(out var frame))
            {
                if (_closeRequest is { DrainFirst: false })
                {
                    return false;
                }

                await SendFrameAsync(frame).ConfigureAwait(false);
                if (frame is OrderRecord order && deliveries++ == 0)
                {
                    oldestAcceptedTimestamp = order.AcceptedTimestamp;
                }
            }

            return true;
        }
        finally
        {
            Metrics.RecordSendBurst(deliveries, oldestAcceptedTimestamp);
        }
    }

    private async ValueTask SendFrameAsync(OutboundFrame frame)
    {
        switch (frame)
        {
            case OrderRecord order:
                await SendTextAsync(order.Frame).ConfigureAwait(false);
                order.NoteWritten();
                break;
            case ControlFrame control:
                await SendTextAsync(control.Bytes).ConfigureAwait(false);
                break;
            case PendingReply reply:
                await SendTextAsync(await reply.EncodeAsync().ConfigureAwait(false)).ConfigureAwait(false);
                break;
            default:
                throw new UnreachableException(frame.GetType().Name);
        }
    }

    private ValueTask SendTextAsync(ReadOnlyMemory<byte> utf8) =>
        _socket.SendAsync(utf8, WebSocketMessageType.Text, endOfMessage: true, CancellationToken.None);
}
