using System.Net.WebSockets;

namespace KestrelFloor;

/// <summary>
/// One client's socket. A send to an idle socket runs on the caller's thread and, as it
/// usually completes at once, returns there; frames sent meanwhile wait in an unbounded queue
/// (as the ws package buffers), drained by the send that was in flight.
/// </summary>
internal sealed class FloorSocket(WebSocket socket, string id)
{
    private readonly Queue<byte[]> _waiting = new();
    private bool _sending;

    public string Id { get; } = id;

    public WebSocket Socket { get; } = socket;

    public string? Role { get; set; }

    /// <summary>The merchants a subscriber asked for; null for every merchant.</summary>
    public string[]? Merchants { get; set; }

    public void Send(byte[] frame)
    {
        lock (_waiting)
        {
            if (_sending)
            {
                _waiting.Enqueue(frame);
                return;
            }

            _sending = true;
        }

        _ = SendFromAsync(frame);
    }

    public bool Wants(string? merchantId) => Merchants is null || (merchantId is not null && Merchants.Contains(merchantId));

    private async Task SendFromAsync(byte[] frame)
    {
        try
        {
            while (true)
            {
                await Socket.SendAsync(frame, WebSocketMessageType.Text, endOfMessage: true, CancellationToken.None).ConfigureAwait(false);
                lock (_waiting)
                {
                    if (!_waiting.TryDequeue(out frame!))
                    {
                        _sending = false;
                        return;
                    }
                }
            }
        }
        catch (Exception ex) when (ex is WebSocketException or IOException or ObjectDisposedException or OperationCanceledException)
        {
            Socket.Abort();
        }
    }
}
