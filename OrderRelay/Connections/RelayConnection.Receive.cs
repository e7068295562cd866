using System.Net.WebSockets;
using OrderRelay.Protocol;
using OrderRelay.Security;

namespace OrderRelay.Connections;

internal sealed partial class RelayConnection
{
    private async Task<ReceiveEnding> ReceiveLoopAsync()
    {
        try
        {
            if (await HandshakeAsync().ConfigureAwait(false) is not { } session)
            {
                return await DrainAfterRefusalAsync().ConfigureAwait(false);
            }

            while (true)
            {
                var arrived = await _receiver.WaitForMessageAsync().ConfigureAwait(false);
                using var message = await _receiver.ReadMessageAsync(arrived).ConfigureAwait(false);
                switch (message.Kind)
                {
                    case InboundKind.Close:
                        return _closeRequest is null ? ReceiveEnding.PeerClosed : ReceiveEnding.ClosedByRelay;
                    case InboundKind.Binary:
                        RequestClose(CloseRequest.WithError(CloseCodes.BinaryFrame, ErrorCodes.BadFrame, "Binary frames are not accepted; send JSON in text frames."));
                        return await DrainAfterRefusalAsync().ConfigureAwait(false);
                    case InboundKind.TooLargeForTransport:
                        RequestClose(CloseRequest.WithError(CloseCodes.TooLarge, ErrorCodes.TooLarge,
                            $"A message of more than {_receiver.TransportLimit} bytes is not read; the limit is {Options.MaxMessageBytes}."));
                        return await DrainAfterRefusalAsync().ConfigureAwait(false);
                    case InboundKind.TooLarge:
                        await ReplyErrorAsync(ErrorCodes.TooLarge, $"The message is over the {Options.MaxMessageBytes}-byte limit and was dropped.",
                            ClientFrameParser.TryReadLeadingId(message.Payload)).ConfigureAwait(false);
                        break;
                    default:
                        await session.HandleFrameAsync(message.Payload).ConfigureAwait(false);
                        break;
                }
            }
        }
        catch (WebSocketException ex) when (ex.WebSocketErrorCode == WebSocketError.Faulted && ex.InnerException is null)
        {
            // How ManagedWebSocket reports a frame it refused after sending its close; a failing
            // transport comes with the exception that failed it, a peer gone with its own code.
            return ReceiveEnding.PeerBrokeProtocol;
        }
        catch (Exception ex) when (IsTransportEnding(ex))
        {
            return ReceiveEnding.PeerVanished;
        }
    }

    /// <summary>Keeps reading after the relay refused the peer, so its close frame is seen.</summary>
    private async Task<ReceiveEnding> DrainAfterRefusalAsync()
    {
        if (_socket.State is System.Net.WebSockets.WebSocketState.Open or System.Net.WebSockets.WebSocketState.CloseSent)
        {
            await _receiver.DrainUntilCloseAsync().ConfigureAwait(false);
        }

        return ReceiveEnding.ClosedByRelay;
    }

    /// <summary>
    /// Waits for <c>hello</c> within the handshake timeout, has <see cref="HelloAuthenticator"/> decide
    /// who this is, and starts the session of that role; null when refused.
    /// </summary>
    private async Task<ConnectionSession?> HandshakeAsync()
    {
        using var timeout = new CancellationTokenSource(Options.HandshakeTimeout, _services.Time);
        var first = _receiver.ReceiveAsync();
        var waited = await Task.WhenAny(first, Task.Delay(Timeout.InfiniteTimeSpan, timeout.Token)).ConfigureAwait(false);
        if (waited != first)
        {
            RequestClose(CloseRequest.WithError(CloseCodes.Policy, ErrorCodes.HandshakeTimeout,
                $"No hello within {Options.HandshakeTimeout.TotalSeconds:0.###} s."));
            // The receive already under way finishes first; whatever it brings is ignored.
            (await first.ConfigureAwait(false)).Dispose();
            return null;
        }

        using var message = await first.ConfigureAwait(false);
        if (message.Kind == InboundKind.Close)
        {
            RequestClose(CloseRequest.Normal);
            return null;
        }

        var hello = message.Kind == InboundKind.Text ? _services.Parser.Parse(message.Payload) : null;
        switch (await _services.Authenticator.DecideAsync(hello).ConfigureAwait(false))
        {
            case HandshakeDecision.AsPublisher publisher:
                var publisherSession = new PublisherSession(this, publisher.Identity, _outbound, _lifetime.Token);
                _session = publisherSession;
                Welcomed(ConnectionRole.Publisher);
                await publisherSession.StartAsync(hello!).ConfigureAwait(false);
                LogHello(Id, Client, ConnectionRole.Publisher, "*", since: null);
                return publisherSession;
            case HandshakeDecision.AsSubscriber subscriber:
                var subscriberSession = new SubscriberSession(this, subscriber, _outbound, _lifetime.Token);
                _session = subscriberSession;
                Welcomed(ConnectionRole.Subscriber);
                subscriberSession.Start(hello!);
                LogHello(Id, Client, ConnectionRole.Subscriber, subscriber.Filter.IsEverything ? "*" : string.Join(',', subscriber.Filter.Merchants), hello!.Since);
                return subscriberSession;
            case HandshakeDecision.Refused refused:
                RequestClose(CloseRequest.WithError(refused.CloseCode, refused.ErrorCode, refused.Message));
                return null;
            default:
                throw new System.Diagnostics.UnreachableException();
        }
    }

    /// <summary>The hello is accepted: the connection takes its role and no longer counts as pending.</summary>
    private void Welcomed(string role)
    {
        Role = role;
        Metrics.Connections.WithLabels(role).Inc();
        _lease?.CompleteHandshake();
    }

    internal ValueTask ReplyErrorAsync(string code, string message, string? id)
    {
        Metrics.Errors.WithLabels(code).Inc();
        LogRefusedFrame(Id, code);
        return ReplyAsync(FrameEncoder.Error(code, message, id));
    }

    /// <summary>Queues an answer, waiting for room: only this peer's own reading speed can slow it.</summary>
    internal async ValueTask ReplyAsync(OutboundFrame frame) =>
        await _outbound.EnqueueAsync(frame, _lifetime.Token).ConfigureAwait(false);
}
