using System.Diagnostics;
using System.Net.WebSockets;
using OrderRelay.Core;

namespace OrderRelay.Connections;

/// <summary>
/// The send side a connection shares with every other kind: the outgoing queue schedules a
/// drain when a frame finds it idle or when it completes, the drain sends until the queue is
/// empty, and, once the queue is completed, sends the close. The drain is the socket's only writer.
/// </summary>
internal abstract class QueueDrainingConnection : IThreadPoolWorkItem
{
    private TaskCompletionSource? _sendingEnded;

    /// <summary>
    /// Completes when the connection will write nothing more: its close is sent or its socket
    /// aborted. Created on first use, so an open connection does not hold one.
    /// </summary>
    protected Task SendingEnded => SendingEndedSource.Task;

    private TaskCompletionSource SendingEndedSource =>
        _sendingEnded ?? Interlocked.CompareExchange(ref _sendingEnded, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously), null) ?? _sendingEnded;

    private protected abstract WebSocket Socket { get; }

    private protected abstract OutboundQueue Outbound { get; }

    /// <summary>Cancelled when the connection is dropped: ends whatever it still has under way.</summary>
    private protected abstract CancellationTokenSource Lifetime { get; }

    void IThreadPoolWorkItem.Execute() => _ = DrainAsync();

    /// <summary>Sends every frame queued now; false when a close that does not wait for the queue cuts it short.</summary>
    private protected abstract ValueTask<bool> SendQueuedAsync();

    /// <summary>Sends the close the connection was asked for, if the socket can still carry it.</summary>
    private protected abstract ValueTask SendCloseAsync();

    /// <summary>Drops the socket: the peer is gone or will not answer.</summary>
    private protected void Abort()
    {
        Socket.Abort();
        Outbound.Complete();
        try
        {
            Lifetime.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // The connection finished cleaning up first; nothing is left to cancel.
        }
    }

    private protected static bool IsTransportEnding(Exception ex) =>
        ex is WebSocketException or OperationCanceledException or IOException or ObjectDisposedException;

    private async Task DrainAsync()
    {
        try
        {
            while (await SendQueuedAsync().ConfigureAwait(false))
            {
                switch (Outbound.EndDrain())
                {
                    case DrainEnd.More:
                        continue;
                    case DrainEnd.Idle:
                        return;
                    case DrainEnd.Completed:
                        break;
                    default:
                        throw new UnreachableException();
                }

                break;
            }

            // Completed and emptied, or cut short by a close that does not wait for the queue.
            await SendCloseAsync().ConfigureAwait(false);
            SendingEndedSource.TrySetResult();
        }
        catch (Exception ex) when (IsTransportEnding(ex))
        {
            // The peer is gone: the receive loop will see it too.
            Abort();
            SendingEndedSource.TrySetResult();
        }
        catch (Exception ex)
        {
            SendingEndedSource.TrySetException(ex);
        }
    }
}
