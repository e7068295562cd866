using System.Threading.RateLimiting;
using OrderRelay.Core;
using OrderRelay.Protocol;

namespace OrderRelay.Connections;

/// <summary>
/// A publisher after its hello: each publish goes to the sequencer within the connection's rate,
/// its answer queued in arrival order; receipts, when the hello asked for them, follow the welcome.
/// </summary>
internal sealed class PublisherSession : ConnectionSession
{
    private readonly string _identity;
    private readonly RateLimiter _publishRate;
    private Task _receipts = Task.CompletedTask;

    /// <param name="identity">Who the publisher is, for receipts (<see cref="Security.HandshakeDecision.AsPublisher"/>).</param>
    public PublisherSession(RelayConnection connection, string identity, OutboundQueue outbound, CancellationToken lifetime)
        : base(connection, outbound, lifetime)
    {
        _identity = identity;
        _publishRate = Services.RateLimits.ForConnection();
    }

    /// <summary>Queues the welcome, with the receipts cursor when the hello asked for receipts, and starts them.</summary>
    public async Task StartAsync(ClientFrame hello)
    {
        var welcome = new WelcomeFrame(ConnectionRole.Publisher, Connection.Id, Relay.Epoch, Relay.LastSeq, Merchants: null, Recovered: null);
        if (hello.Receipts)
        {
            var start = await Services.Receipts.PlanAsync(hello.ReceiptsAfter, Lifetime).ConfigureAwait(false);
            welcome = welcome with { ReceiptsCursor = start.NewestCursor, ReceiptsRecovered = start.Recovered };
            _receipts = PumpReceiptsAsync(start.AfterCursor);
        }

        Outbound.TryEnqueue(FrameEncoder.Welcome(welcome));
    }

    public override async ValueTask DisposeAsync()
    {
        await _receipts.ConfigureAwait(false);
        _publishRate.Dispose();
    }

    /// <summary>Hands a publish to the sequencer and queues its answer in arrival order; never waits for the answer itself.</summary>
    protected override ValueTask PublishAsync(ClientFrame frame, ReadOnlySpan<byte> payload)
    {
        switch (frame.Order)
        {
            case OrderField.Missing:
                return Connection.ReplyErrorAsync(ErrorCodes.BadFrame, "A publish needs an \"order\" object.", frame.Id);
            case OrderField.NotAnObject:
                return Connection.ReplyErrorAsync(ErrorCodes.BadFrame, "\"order\" must be a JSON object.", frame.Id);
        }

        using (var permit = _publishRate.AttemptAcquire())
        {
            if (!permit.IsAcquired)
            {
                return Connection.ReplyErrorAsync(ErrorCodes.RateLimited,
                    $"Over {Services.Options.Limits.PublishRatePerSecond} publishes a second; this one was not accepted, send it again shortly.", frame.Id);
            }
        }

        var request = new PublishRequest(frame.Id, frame.OrderMerchantId, payload[frame.OrderRange].ToArray(), _identity);
        return SubmitAsync(request, frame.Id);
    }

    protected override ValueTask ConfirmAsync(ClientFrame frame) =>
        Connection.ReplyErrorAsync(ErrorCodes.NotAllowed, "Only subscribers confirm orders with ack.", frame.Id);

    protected override ValueTask AcceptAsync(ClientFrame frame) =>
        Connection.ReplyErrorAsync(ErrorCodes.NotAllowed, "Only merchant pages (subscribers) accept orders.", frame.Id);

    private async ValueTask SubmitAsync(PublishRequest request, string? id)
    {
        try
        {
            await Relay.SubmitAsync(request, Lifetime).ConfigureAwait(false);
        }
        catch (PublishFailedException ex)
        {
            await Connection.ReplyErrorAsync(ex.ErrorCode, ex.Message, id).ConfigureAwait(false);
            return;
        }

        await Connection.ReplyAsync(new PendingReply(request.Task, id, Services.Metrics)).ConfigureAwait(false);
    }

    private async Task PumpReceiptsAsync(long afterCursor)
    {
        // After the welcome is queued: the receipts follow it.
        await Task.Yield();
        try
        {
            await Services.Receipts.RunAsync(_identity, afterCursor, Outbound, Lifetime).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // The connection ended.
        }
        catch (Exception ex)
        {
            Connection.LogReceiptsFailed(ex, Connection.Id);
            Connection.RequestClose(CloseRequest.WithError(CloseCodes.InternalError, ErrorCodes.InternalError,
                "The relay could not read receipts; reconnect with receipts_after.", drainFirst: false));
        }
    }
}
