using OrderRelay.Core;
using OrderRelay.Protocol;

namespace OrderRelay.Connections;

internal sealed partial class RelayConnection
{
    private async Task<ReceiveEnding> ReceiveLoopAsync()
    {
        try
        {
            if (!await HandshakeAsync().ConfigureAwait(false))
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
                        await HandleFrameAsync(message.Payload).ConfigureAwait(false);
                        break;
                }
            }
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

    /// <summary>Waits for <c>hello</c> within the handshake timeout and sets the role; false when refused.</summary>
    private async Task<bool> HandshakeAsync()
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
            return false;
        }

        using var message = await first.ConfigureAwait(false);
        if (message.Kind == InboundKind.Close)
        {
            RequestClose(CloseRequest.Normal);
            return false;
        }

        var frame = message.Kind == InboundKind.Text ? _services.Parser.Parse(message.Payload) : null;
        if (frame is null || frame.ProblemCode == ErrorCodes.BadJson || frame.Type != "hello")
        {
            RequestClose(CloseRequest.WithError(CloseCodes.Policy, ErrorCodes.HandshakeRequired,
                "The first frame must be {\"type\":\"hello\",\"role\":\"publisher\"|\"subscriber\"}."));
            return false;
        }

        if (frame.ProblemCode is { } problem)
        {
            RequestClose(CloseRequest.WithError(CloseCodes.Policy, problem, frame.ProblemMessage!));
            return false;
        }

        switch (frame.Role)
        {
            case ConnectionRole.Publisher:
                return await BecomePublisherAsync(frame).ConfigureAwait(false);
            case ConnectionRole.Subscriber:
                return await BecomeSubscriberAsync(frame).ConfigureAwait(false);
            default:
                RequestClose(CloseRequest.WithError(CloseCodes.Policy, ErrorCodes.BadFrame, "\"role\" must be \"publisher\" or \"subscriber\"."));
                return false;
        }
    }

    private async Task<bool> BecomePublisherAsync(ClientFrame hello)
    {
        if (_services.PublisherKeys.Required && !_services.PublisherKeys.Accepts(hello.Token))
        {
            return RefuseAuth(hello.Token is null ? "A publisher key is required as \"token\"." : "The publisher key is not valid.");
        }

        Role = ConnectionRole.Publisher;
        Metrics.Connections.WithLabels(Role).Inc();
        _publisher = _services.PublisherKeys.IdentityOf(hello.Token);
        _publishRate = _services.RateLimits.ForConnection();
        _lease?.CompleteHandshake();
        var welcome = new WelcomeFrame(Role, Id, Relay.Epoch, Relay.LastSeq, Merchants: null, Recovered: null);
        if (hello.Receipts)
        {
            var start = await _services.Receipts.PlanAsync(hello.ReceiptsAfter, _lifetime.Token).ConfigureAwait(false);
            welcome = welcome with { ReceiptsCursor = start.NewestCursor, ReceiptsRecovered = start.Recovered };
            _receipts = PumpReceiptsAsync(start.AfterCursor);
        }

        _outbound.TryEnqueue(FrameEncoder.Welcome(welcome));
        LogHello(Id, Client, Role, "*", since: null);
        return true;
    }

    private async Task PumpReceiptsAsync(long afterCursor)
    {
        // After the welcome is queued: the receipts follow it.
        await Task.Yield();
        try
        {
            await _services.Receipts.RunAsync(_publisher!, afterCursor, _outbound, _lifetime.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // The connection ended.
        }
        catch (Exception ex)
        {
            LogReceiptsFailed(ex, Id);
            RequestClose(CloseRequest.WithError(CloseCodes.InternalError, ErrorCodes.InternalError,
                "The relay could not read receipts; reconnect with receipts_after.", drainFirst: false));
        }
    }

    private async Task<bool> BecomeSubscriberAsync(ClientFrame hello)
    {
        var (grant, refusal) = await _services.SubscriberTokens.ValidateAsync(hello.Token).ConfigureAwait(false);
        if (grant is null)
        {
            return RefuseAuth(refusal!);
        }

        if (grant.FilterFor(hello.Merchants) is not { } filter)
        {
            return RefuseAuth("The token does not grant every merchant asked for.");
        }

        if (grant.TokenId is { } tokenId && (_tokenLease = _services.Limiter.TryAdmitToken(tokenId)) is null)
        {
            return RefuseAuth($"This token is already used by {_services.Options.Limits.MaxSubscribersPerToken} connections.");
        }

        if (grant.ExpiresAt is { } expiresAt)
        {
            // The token stops working when it expires, not only at hello.
            _tokenExpiry = _services.Time.CreateTimer(static state => ((RelayConnection)state!).RequestClose(
                    CloseRequest.WithError(CloseCodes.Policy, ErrorCodes.AuthFailed, "The token has expired; reconnect with a new one.", drainFirst: false)),
                this, Max(expiresAt - _services.Time.GetUtcNow(), TimeSpan.Zero), Timeout.InfiniteTimeSpan);
        }

        Role = ConnectionRole.Subscriber;
        _lease?.CompleteHandshake();
        Metrics.Connections.WithLabels(Role).Inc();
        var epoch = Relay.Epoch;
        var start = Relay.PlanSubscription(hello.Since, hello.Epoch);
        _outbound.TryEnqueue(FrameEncoder.Welcome(new WelcomeFrame(Role, Id, epoch, start.WelcomeSeq,
            filter.IsEverything ? null : filter.Merchants, start.Recovered) { EscalationAfterMs = EscalationAfterMs }));
        _subscriber = new Subscriber(Id, filter, _outbound, epoch, static connection => ((RelayConnection)connection).RequestClose(
            CloseRequest.WithError(CloseCodes.TryAgainLater, ErrorCodes.EpochChanged,
                "The relay's order history restarted (a new epoch) and orders may have been lost; reconnect with since and epoch, then reload what you show.")),
            this);
        _catchUp = CatchUpAsync(_subscriber, start);
        LogHello(Id, Client, Role, filter.IsEverything ? "*" : string.Join(',', filter.Merchants), hello.Since);
        return true;
    }

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;

    private bool RefuseAuth(string reason)
    {
        RequestClose(CloseRequest.WithError(CloseCodes.Policy, ErrorCodes.AuthFailed, reason));
        return false;
    }

    private async Task CatchUpAsync(Subscriber subscriber, SubscriptionStart start)
    {
        try
        {
            await Relay.CatchUpAndGoLiveAsync(subscriber, start.ReplayAfterSeq, start.IsResume, _lifetime.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // The connection ended during replay.
        }
        catch (Exception ex)
        {
            LogCatchUpFailed(ex, Id);
            RequestClose(CloseRequest.WithError(CloseCodes.InternalError, ErrorCodes.InternalError,
                "The relay could not replay history; reconnect with since.", drainFirst: false));
        }
    }

    private ValueTask HandleFrameAsync(ReadOnlySpan<byte> payload)
    {
        var frame = _services.Parser.Parse(payload);
        if (frame.ProblemCode is { } problem)
        {
            return ReplyErrorAsync(problem, frame.ProblemMessage!, frame.Id);
        }

        return frame.Type switch
        {
            "publish" when Role == ConnectionRole.Publisher => PublishAsync(frame, payload),
            "publish" => ReplyErrorAsync(ErrorCodes.NotAllowed, "Subscribers cannot publish; connect with role \"publisher\".", frame.Id),
            "ack" when Role == ConnectionRole.Subscriber => ConfirmAsync(frame),
            "ack" => ReplyErrorAsync(ErrorCodes.NotAllowed, "Only subscribers confirm orders with ack.", frame.Id),
            "accept" when Role == ConnectionRole.Subscriber => AcceptAsync(frame),
            "accept" => ReplyErrorAsync(ErrorCodes.NotAllowed, "Only merchant pages (subscribers) accept orders.", frame.Id),
            "ping" => ReplyAsync(FrameEncoder.Pong),
            "hello" => ReplyErrorAsync(ErrorCodes.NotAllowed, "This connection has already said hello.", frame.Id),
            _ => ReplyErrorAsync(ErrorCodes.UnknownType, $"Unknown frame type \"{frame.Type}\".", frame.Id),
        };
    }

    /// <summary>Hands a publish to the sequencer and queues its answer in arrival order; never waits for the answer itself.</summary>
    private ValueTask PublishAsync(ClientFrame frame, ReadOnlySpan<byte> payload)
    {
        switch (frame.Order)
        {
            case OrderField.Missing:
                return ReplyErrorAsync(ErrorCodes.BadFrame, "A publish needs an \"order\" object.", frame.Id);
            case OrderField.NotAnObject:
                return ReplyErrorAsync(ErrorCodes.BadFrame, "\"order\" must be a JSON object.", frame.Id);
        }

        using (var permit = _publishRate!.AttemptAcquire())
        {
            if (!permit.IsAcquired)
            {
                return ReplyErrorAsync(ErrorCodes.RateLimited,
                    $"Over {_services.Options.Limits.PublishRatePerSecond} publishes a second; this one was not accepted, send it again shortly.", frame.Id);
            }
        }

        var request = new PublishRequest(frame.Id, frame.OrderMerchantId, payload[frame.OrderRange].ToArray(), _publisher);
        return SubmitAsync(request, frame.Id);
    }

    private async ValueTask SubmitAsync(PublishRequest request, string? id)
    {
        try
        {
            await Relay.SubmitAsync(request, _lifetime.Token).ConfigureAwait(false);
        }
        catch (PublishFailedException ex)
        {
            await ReplyErrorAsync(ex.ErrorCode, ex.Message, id).ConfigureAwait(false);
            return;
        }

        await ReplyAsync(new PendingReply(request.Task, id, Metrics)).ConfigureAwait(false);
    }

    private async ValueTask ConfirmAsync(ClientFrame frame)
    {
        if (frame.Seq is not { } seq)
        {
            await ReplyErrorAsync(ErrorCodes.BadFrame, "An ack needs \"seq\", the newest order shown.", frame.Id).ConfigureAwait(false);
            return;
        }

        if (!await Relay.ConfirmAsync(_subscriber!, seq, _lifetime.Token).ConfigureAwait(false))
        {
            await ReplyErrorAsync(ErrorCodes.BadFrame, $"seq {seq} has not been assigned yet.", frame.Id).ConfigureAwait(false);
        }
    }

    private ValueTask ReplyErrorAsync(string code, string message, string? id)
    {
        Metrics.Errors.WithLabels(code).Inc();
        LogRefusedFrame(Id, code);
        return ReplyAsync(FrameEncoder.Error(code, message, id));
    }

    /// <summary>Queues an answer, waiting for room: only this peer's own reading speed can slow it.</summary>
    private async ValueTask ReplyAsync(OutboundFrame frame) =>
        await _outbound.EnqueueAsync(frame, _lifetime.Token).ConfigureAwait(false);
}
