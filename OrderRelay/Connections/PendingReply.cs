using OrderRelay.Core;
using OrderRelay.Diagnostics;
using OrderRelay.Protocol;

namespace OrderRelay.Connections;

/// <summary>
/// A publisher's answer that is not known yet. Queued in arrival order, so the drain
/// answers publishes in the order they came even though the sequencer decides them later.
/// </summary>
internal sealed class PendingReply(Task<PublishOutcome> outcome, string? id, RelayMetrics metrics) : OutboundFrame
{
    public async ValueTask<byte[]> EncodeAsync()
    {
        try
        {
            return FrameEncoder.Ack(id, await outcome.ConfigureAwait(false));
        }
        catch (PublishFailedException ex)
        {
            metrics.Errors.WithLabels(ex.ErrorCode).Inc();
            return FrameEncoder.ErrorBytes(ex.ErrorCode, ex.Message, id);
        }
    }
}
