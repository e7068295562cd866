using System.Net.WebSockets;
using OrderRelay.Client.Wire;

namespace OrderRelay.Client;

public sealed partial class RelaySubscriber
{
    /// <summary>Codes after which the relay closes the connection: the subscriber reconnects with <c>since</c>.</summary>
    private static readonly HashSet<string> ClosingErrors = ["slow_consumer", "epoch_changed", "server_shutdown", "internal_error", "auth_failed"];

    /// <summary>Says hello with the position to resume from; returns the open channel and its event, or why it failed.</summary>
    private async Task<(FrameChannel? Channel, Connected? Connected, string? Failure)> ConnectAsync(CancellationToken cancellationToken)
    {
        var token = _options.TokenProvider is { } provider ? await provider(cancellationToken).ConfigureAwait(false) : _options.Token;
        long? since = _hasPosition ? LastSeq : null;
        var knownEpoch = Epoch;
        var hello = new HelloFrame("subscriber", token, _options.Merchants, since, since is null ? null : knownEpoch);
        FrameChannel channel;
        ServerFrame welcome;
        try
        {
            (channel, welcome) = await RelayConnector.ConnectAsync(_options, hello, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (!RelayConnector.IsFinal(ex) && !cancellationToken.IsCancellationRequested)
        {
            return (null, null, ex.Message);
        }

        var epoch = welcome.Epoch ?? "";
        var epochChanged = knownEpoch is not null && knownEpoch != epoch;
        // A welcome that does not say it recovered is taken as not recovered: never pretend.
        var recovered = since is null || (welcome.Recovered == true && !epochChanged);
        if (since is null)
        {
            // Live orders come after the welcome's seq: resume from there if this connection drops first.
            Interlocked.Exchange(ref _position, welcome.Seq ?? 0);
        }
        else if (!recovered)
        {
            // The relay replays the whole history it keeps; the old position means nothing in it.
            Interlocked.Exchange(ref _position, 0);
        }

        _hasPosition = true;
        Volatile.Write(ref _epoch, epoch);
        if (epochChanged)
        {
            lock (_confirmations)
            {
                _confirmWanted = 0;
                _confirmSent = 0;
            }
        }

        Log.Connected(_logger, _options.RelayUri!, welcome.ConnectionId, epoch, since, recovered);
        return (channel, new Connected(welcome.ConnectionId ?? "", epoch, welcome.Seq ?? 0, recovered, epochChanged, since, welcome.Merchants), null);
    }

    /// <summary>The next order, or why the connection ended.</summary>
    private async Task<(OrderReceived? Order, string? Ended)> ReceiveAsync(FrameChannel channel, CancellationToken cancellationToken)
    {
        while (true)
        {
            ServerFrame? frame;
            try
            {
                frame = await channel.ReceiveAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is WebSocketException or IOException && !cancellationToken.IsCancellationRequested)
            {
                return (null, ex.Message);
            }

            if (frame is null)
            {
                return (null, $"the relay closed the connection ({channel.Socket.CloseStatus} {channel.Socket.CloseStatusDescription})");
            }

            switch (frame.Type)
            {
                case "order" when frame.Seq is { } seq && frame.Order is { } order:
                    if (seq <= LastSeq)
                    {
                        Log.SkippedOld(_logger, seq, LastSeq);
                        continue;
                    }

                    return (new OrderReceived(seq, frame.MerchantId, frame.Ts ?? default, order, Epoch!), null);
                case "order":
                    // Skipping it would be a silent gap: reconnecting from the position replays it.
                    return (null, "the relay sent an order frame without seq or order");
                case "error" when frame.Code == "auth_failed" && _options.TokenProvider is null:
                    throw new RelayAuthenticationException($"The relay refused the subscriber's token: {frame.Message}");
                case "error" when ClosingErrors.Contains(frame.Code ?? ""):
                    return (null, $"the relay said {frame.Code}: {frame.Message}");
                case "error":
                    Log.RelayError(_logger, frame.Code, frame.Message);
                    continue;
                default:
                    continue; // pong, and frame types a later protocol may add
            }
        }
    }

    private async Task SendConfirmationAsync(CancellationToken cancellationToken)
    {
        await _sending.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            long wanted;
            lock (_confirmations)
            {
                wanted = _confirmWanted;
                if (wanted <= _confirmSent)
                {
                    return;
                }
            }

            if (_channel is not { } channel)
            {
                return; // sent after the next welcome
            }

            try
            {
                await channel.SendAsync(new ConfirmFrame(wanted), ClientJson.Default.ConfirmFrame, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is WebSocketException or ObjectDisposedException or IOException)
            {
                return; // the connection is going; the receipt is sent after the next welcome
            }

            lock (_confirmations)
            {
                _confirmSent = Math.Max(_confirmSent, wanted);
            }
        }
        finally
        {
            _sending.Release();
        }
    }
}
