using System.Net.WebSockets;
using OrderRelay.Connections;
using OrderRelay.Core;
using OrderRelay.Protocol;

namespace OrderRelay.Compat;

internal sealed partial class SeedConnection
{
    /// <summary>Frames that belong to protocol version 1: a v1 client on the seed path is told where to go rather than published.</summary>
    private static readonly string[] VersionOneTypes = ["hello", "publish", "ack", "ping"];

    /// <returns>True when the peer closed; false when the relay did, or the peer vanished.</returns>
    private async Task<bool> ReceiveLoopAsync()
    {
        try
        {
            var first = _receiver.ReceiveAsync();
            using (var window = new CancellationTokenSource(_services.Options.HandshakeTimeout, _services.Time))
            {
                if (await Task.WhenAny(first, Task.Delay(Timeout.InfiniteTimeSpan, window.Token)).ConfigureAwait(false) != first)
                {
                    return await ListenAsync(first).ConfigureAwait(false);
                }
            }

            using var message = await first.ConfigureAwait(false);
            if (message.Kind == InboundKind.Text)
            {
                // Live before it spoke; a publisher receives nothing from here on.
                await _catchUp.ConfigureAwait(false);
                Relay.Unsubscribe(_subscriber);
                Decide(ConnectionRole.Publisher);
            }

            if (!await HandleAsync(message).ConfigureAwait(false))
            {
                return message.Kind == InboundKind.Close;
            }

            while (true)
            {
                using var next = await _receiver.ReceiveAsync().ConfigureAwait(false);
                if (!await HandleAsync(next).ConfigureAwait(false))
                {
                    return next.Kind == InboundKind.Close;
                }
            }
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or IOException or ObjectDisposedException)
        {
            Abort();
            return false;
        }
    }

    /// <summary>Silent through the window: a subscriber for good, which has nothing to say.</summary>
    private async Task<bool> ListenAsync(Task<InboundMessage> pending)
    {
        Decide(ConnectionRole.Subscriber);
        using var message = await pending.ConfigureAwait(false);
        if (message.Kind == InboundKind.Close)
        {
            return true;
        }

        RequestClose(CloseCodes.Policy, "not_allowed: a seed subscriber only listens; publishers send their first order at once");
        await _receiver.DrainUntilCloseAsync().ConfigureAwait(false);
        return false;
    }

    private void Decide(string role)
    {
        _role = role;
        Metrics.Connections.WithLabels(role).Inc();
        LogRole(Id, Client, role);
    }

    /// <summary>Publishes one bare order and waits until it is stored; false once the connection is to end.</summary>
    private async Task<bool> HandleAsync(InboundMessage message)
    {
        var refusal = message.Kind switch
        {
            InboundKind.Close => (CloseCodes.Normal, ""),
            InboundKind.Binary => (CloseCodes.BinaryFrame, "bad_frame: send the order as JSON in a text frame"),
            InboundKind.TooLarge or InboundKind.TooLargeForTransport =>
                (CloseCodes.TooLarge, $"too_large: an order is at most {_services.Options.MaxMessageBytes} bytes"),
            _ when !_keyAccepted => (CloseCodes.Policy, "auth_failed: publishing needs a valid publisher key as ?key="),
            _ => default((WebSocketCloseStatus, string)?),
        };
        if (refusal is null)
        {
            refusal = await PublishAsync(message.Payload.ToArray()).ConfigureAwait(false);
        }

        if (refusal is { } close)
        {
            RequestClose(close.Item1, close.Item2);
            if (message.Kind != InboundKind.Close && _socket.State is WebSocketState.Open or WebSocketState.CloseSent)
            {
                await _receiver.DrainUntilCloseAsync().ConfigureAwait(false);
            }

            return false;
        }

        return true;
    }

    private async Task<(WebSocketCloseStatus, string)?> PublishAsync(byte[] payload)
    {
        var frame = _services.Parser.Parse(payload);
        if (frame.Type is { } type && VersionOneTypes.Contains(type))
        {
            return (CloseCodes.Policy, "handshake_required: this is the seed compatibility path; protocol v1 clients use Relay:Path");
        }

        var order = _services.Parser.ParseOrder(payload);
        if (order.ProblemCode is { } problem)
        {
            return (CloseCodes.Policy, $"{problem}: {order.ProblemMessage}");
        }

        if (order.Order != OrderField.Object)
        {
            return (CloseCodes.Policy, "bad_frame: send the order itself, a JSON object");
        }

        _publishRate ??= _services.RateLimits.ForConnection();
        using (var permit = _publishRate.AttemptAcquire())
        {
            if (!permit.IsAcquired)
            {
                return (CloseCodes.TryAgainLater, $"rate_limited: over {_services.Options.Limits.PublishRatePerSecond} orders a second; not accepted");
            }
        }

        var request = new PublishRequest(null, order.OrderMerchantId, payload[order.OrderRange]);
        try
        {
            await Relay.SubmitAsync(request, _lifetime.Token).ConfigureAwait(false);
            var outcome = await request.Task.ConfigureAwait(false);
            LogPublished(Id, outcome.Seq);
            return null;
        }
        catch (PublishFailedException ex)
        {
            Metrics.Errors.WithLabels(ex.ErrorCode).Inc();
            return (ex.ErrorCode == ErrorCodes.ServerShutdown ? CloseCodes.Shutdown : CloseCodes.InternalError, $"{ex.ErrorCode}: the order was not accepted");
        }
    }
}
