using System.Collections.Concurrent;
using OrderRelay.Client.Wire;

namespace OrderRelay.Client;

/// <summary>
/// One publisher connection after its welcome: a send loop and a receive loop. Publishes are
/// pipelined; the relay answers them in the order they were sent, so each answer belongs to the
/// oldest unanswered publish, and its id must say so. Whichever loop ends first ends the session;
/// what was sent and not answered goes back, first in line, to be sent again with the same id.
/// </summary>
internal sealed class PublisherSession(FrameChannel channel, PublishQueue queue)
{
    private readonly ConcurrentQueue<PendingPublish> _unanswered = new();

    /// <summary>Runs until the connection ends; returns why, for the log.</summary>
    public async Task<string> RunAsync(CancellationToken stopping)
    {
        using var ending = CancellationTokenSource.CreateLinkedTokenSource(stopping);
        var sending = SendLoopAsync(ending.Token);
        var receiving = ReceiveLoopAsync(ending.Token);
        var first = await Task.WhenAny(sending, receiving).ConfigureAwait(false);
        await ending.CancelAsync().ConfigureAwait(false);
        await channel.CloseAsync(TimeSpan.Zero).ConfigureAwait(false);
        var reasons = await Task.WhenAll(Ended(sending), Ended(receiving)).ConfigureAwait(false);

        queue.ReturnUnanswered([.. _unanswered]);
        return first == sending ? reasons[0] : reasons[1];
    }

    private static async Task<string> Ended(Task<string> loop)
    {
        try
        {
            return await loop.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            return "stopped";
        }
        catch (Exception ex)
        {
            return ex.Message;
        }
    }

    private async Task<string> SendLoopAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            // Claimed and recorded before the await, so a drop at any point leaves it to be resent.
            var next = await queue.TakeAsync(cancellationToken).ConfigureAwait(false);
            if (next is null)
            {
                return "the publisher is closing";
            }

            _unanswered.Enqueue(next);
            await channel.SendAsync(next.Frame, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task<string> ReceiveLoopAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            var frame = await channel.ReceiveAsync(cancellationToken).ConfigureAwait(false);
            if (frame is null)
            {
                return $"the relay closed the connection ({channel.Socket.CloseStatus} {channel.Socket.CloseStatusDescription})";
            }

            if (frame.Type is not ("ack" or "error"))
            {
                continue; // pong, and frame types a later protocol may add
            }

            var answers = frame.Id is not null && _unanswered.TryPeek(out var oldest) && oldest.Id == frame.Id && frame.Code != "server_shutdown"
                && (frame.Type == "error" || frame.Seq is not null);
            if (!answers)
            {
                // server_shutdown, or an answer that matches nothing sent (or an ack without its seq): the
                // connection is over, and the unanswered are resent on the next, where the relay answers them again.
                return frame.Type == "error" ? $"the relay said {frame.Code}: {frame.Message}" : $"the relay sent an ack for '{frame.Id}' that does not answer the oldest unanswered publish";
            }

            _unanswered.TryDequeue(out var publish);
            if (frame.Type == "ack")
            {
                publish!.Complete(new PublishReceipt(publish.Id, frame.Seq!.Value, frame.Duplicate ?? false, PublishTransport.WebSocket));
            }
            else
            {
                publish!.Fail(PublishErrors.From(frame.Code ?? "unknown", frame.Message ?? "", publish.Id, retryAfter: null));
            }
        }
    }
}
