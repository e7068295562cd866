using OrderRelay.Core.Receipts;
using OrderRelay.Protocol;

namespace OrderRelay.Connections;

/// <summary>A page's <c>accept</c> (docs/receipts.md); the work is <see cref="OrderAcceptance"/>'s.</summary>
internal sealed partial class RelayConnection
{
    private long? EscalationAfterMs => Options.Escalation.Enabled ? (long)Options.Escalation.After.TotalMilliseconds : null;

    private async ValueTask AcceptAsync(ClientFrame frame)
    {
        if (frame.Seq is not { } seq)
        {
            await ReplyErrorAsync(ErrorCodes.BadFrame, "An accept needs \"seq\", the order a person accepted.", frame.Id).ConfigureAwait(false);
            return;
        }

        var outcome = await _services.Acceptance.AcceptAsync(_subscriber!.Filter, seq, _lifetime.Token).ConfigureAwait(false);
        switch (outcome.Result)
        {
            case AcceptResult.Accepted:
                // Every page of the merchant, this one included, is told by the broadcast.
                break;
            case AcceptResult.AlreadyAccepted:
                await ReplyAsync(FrameEncoder.Accepted(seq, outcome.MerchantId, outcome.At!.Value)).ConfigureAwait(false);
                break;
            case AcceptResult.NotYours:
                await ReplyErrorAsync(ErrorCodes.NotYours, $"Order {seq} belongs to a merchant this connection does not serve.", frame.Id).ConfigureAwait(false);
                break;
            default:
                await ReplyErrorAsync(ErrorCodes.UnknownSeq, $"The relay holds no order with seq {seq}.", frame.Id).ConfigureAwait(false);
                break;
        }
    }
}
