using OrderRelay.Core;
using OrderRelay.Core.Receipts;
using OrderRelay.Protocol;
using OrderRelay.Security;

namespace OrderRelay.Connections;

/// <summary>
/// A subscriber (a merchant page) after its hello: replayed from where it left off, then live;
/// it confirms what it showed (<c>ack</c>) and what a person accepted (<c>accept</c>, docs/receipts.md).
/// It holds its token's place among the token's connections, and ends the connection when the token expires.
/// </summary>
internal sealed class SubscriberSession : ConnectionSession
{
    private readonly MerchantFilter _filter;
    private readonly IDisposable? _tokenLease;
    private readonly ITimer? _tokenExpiry;
    private Subscriber? _subscriber;
    private Task _catchUp = Task.CompletedTask;

    /// <summary>Takes over the decision's token lease, and starts the token's expiry.</summary>
    public SubscriberSession(RelayConnection connection, HandshakeDecision.AsSubscriber decision, OutboundQueue outbound, CancellationToken lifetime)
        : base(connection, outbound, lifetime)
    {
        _filter = decision.Filter;
        _tokenLease = decision.TokenLease;
        if (decision.ExpiresAt is { } expiresAt)
        {
            // The token stops working when it expires, not only at hello.
            _tokenExpiry = Services.Time.CreateTimer(static state => ((RelayConnection)state!).RequestClose(
                    CloseRequest.WithError(CloseCodes.Policy, ErrorCodes.AuthFailed, "The token has expired; reconnect with a new one.", drainFirst: false)),
                connection, Max(expiresAt - Services.Time.GetUtcNow(), TimeSpan.Zero), Timeout.InfiniteTimeSpan);
        }
    }

    private long? EscalationAfterMs => Services.Options.Escalation.Enabled ? (long)Services.Options.Escalation.After.TotalMilliseconds : null;

    /// <summary>Queues the welcome, then replays what the page missed (per its <c>since</c>) before it goes live.</summary>
    public void Start(ClientFrame hello)
    {
        var epoch = Relay.Epoch;
        var start = Relay.PlanSubscription(hello.Since, hello.Epoch);
        Outbound.TryEnqueue(FrameEncoder.Welcome(new WelcomeFrame(ConnectionRole.Subscriber, Connection.Id, epoch, start.WelcomeSeq,
            _filter.IsEverything ? null : _filter.Merchants, start.Recovered) { EscalationAfterMs = EscalationAfterMs }));
        _subscriber = new Subscriber(Connection.Id, _filter, Outbound, epoch, static connection => ((RelayConnection)connection).RequestClose(
            CloseRequest.WithError(CloseCodes.TryAgainLater, ErrorCodes.EpochChanged,
                "The relay's order history restarted (a new epoch) and orders may have been lost; reconnect with since and epoch, then reload what you show.")),
            Connection);
        _catchUp = CatchUpAsync(_subscriber, start);
    }

    public override async ValueTask DisposeAsync()
    {
        await _catchUp.ConfigureAwait(false);
        if (_subscriber is { } subscriber)
        {
            Relay.Unsubscribe(subscriber);
        }

        _tokenExpiry?.Dispose();
        _tokenLease?.Dispose();
    }

    protected override ValueTask PublishAsync(ClientFrame frame, ReadOnlySpan<byte> payload) =>
        Connection.ReplyErrorAsync(ErrorCodes.NotAllowed, "Subscribers cannot publish; connect with role \"publisher\".", frame.Id);

    protected override async ValueTask ConfirmAsync(ClientFrame frame)
    {
        if (frame.Seq is not { } seq)
        {
            await Connection.ReplyErrorAsync(ErrorCodes.BadFrame, "An ack needs \"seq\", the newest order shown.", frame.Id).ConfigureAwait(false);
            return;
        }

        if (!await Relay.ConfirmAsync(_subscriber!, seq, Lifetime).ConfigureAwait(false))
        {
            await Connection.ReplyErrorAsync(ErrorCodes.BadFrame, $"seq {seq} has not been assigned yet.", frame.Id).ConfigureAwait(false);
        }
    }

    /// <summary>A page's <c>accept</c>; the work is <see cref="OrderAcceptance"/>'s.</summary>
    protected override async ValueTask AcceptAsync(ClientFrame frame)
    {
        if (frame.Seq is not { } seq)
        {
            await Connection.ReplyErrorAsync(ErrorCodes.BadFrame, "An accept needs \"seq\", the order a person accepted.", frame.Id).ConfigureAwait(false);
            return;
        }

        var outcome = await Services.Acceptance.AcceptAsync(_filter, seq, Lifetime).ConfigureAwait(false);
        switch (outcome.Result)
        {
            case AcceptResult.Accepted:
                // Every page of the merchant, this one included, is told by the broadcast.
                break;
            case AcceptResult.AlreadyAccepted:
                await Connection.ReplyAsync(FrameEncoder.Accepted(seq, outcome.MerchantId, outcome.At!.Value)).ConfigureAwait(false);
                break;
            case AcceptResult.NotYours:
                await Connection.ReplyErrorAsync(ErrorCodes.NotYours, $"Order {seq} belongs to a merchant this connection does not serve.", frame.Id).ConfigureAwait(false);
                break;
            default:
                await Connection.ReplyErrorAsync(ErrorCodes.UnknownSeq, $"The relay holds no order with seq {seq}.", frame.Id).ConfigureAwait(false);
                break;
        }
    }

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;

    private async Task CatchUpAsync(Subscriber subscriber, SubscriptionStart start)
    {
        try
        {
            await Relay.CatchUpAndGoLiveAsync(subscriber, start.ReplayAfterSeq, start.IsResume, Lifetime).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // The connection ended during replay.
        }
        catch (Exception ex)
        {
            Connection.LogCatchUpFailed(ex, Connection.Id);
            Connection.RequestClose(CloseRequest.WithError(CloseCodes.InternalError, ErrorCodes.InternalError,
                "The relay could not replay history; reconnect with since.", drainFirst: false));
        }
    }
}
