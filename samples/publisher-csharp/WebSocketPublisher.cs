using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace PublisherSample;

/// <summary>
/// Publishes orders over one WebSocket and waits for each ack: an order counts as sent only
/// once the relay has stored it. A dropped connection is reopened and the same publish is
/// sent again with the same id, so the relay delivers it once even if the first try
/// got through before the drop (it then answers "duplicate":true with the original seq).
/// </summary>
internal sealed class WebSocketPublisher(Uri relay, string? publisherKey) : IAsyncDisposable
{
    private const int MaxAttempts = 6;
    private static readonly TimeSpan ReceiveTimeout = TimeSpan.FromSeconds(15);

    private ClientWebSocket? _socket;

    /// <summary>Returns the relay's answer: the seq, and whether the id had been accepted before.</summary>
    public async Task<(long Seq, bool Duplicate)> PublishAsync(string id, JsonObject order, CancellationToken cancellationToken)
    {
        var frame = new JsonObject { ["type"] = "publish", ["id"] = id, ["order"] = order }.ToJsonString();
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                var socket = await ConnectedAsync(cancellationToken);
                await SendAsync(socket, frame, cancellationToken);
                return await AwaitAnswerAsync(socket, id, cancellationToken);
            }
            catch (Exception ex) when (ex is WebSocketException or IOException or TimeoutException && attempt < MaxAttempts)
            {
                Drop();
                // Exponential back-off with jitter, so that many publishers do not return at once.
                var delay = TimeSpan.FromMilliseconds(Math.Min(30_000, 500 * Math.Pow(2, attempt - 1)) * (0.5 + Random.Shared.NextDouble() / 2));
                Console.Error.WriteLine($"{id}: {ex.Message.TrimEnd('.')}. Retrying with the same id in {delay.TotalSeconds:0.0} s.");
                await Task.Delay(delay, cancellationToken);
            }
        }
    }

    private static async Task<(long Seq, bool Duplicate)> AwaitAnswerAsync(ClientWebSocket socket, string id, CancellationToken cancellationToken)
    {
        while (true)
        {
            using var answer = await ReceiveAsync(socket, cancellationToken);
            var root = answer.RootElement;
            var type = root.GetProperty("type").GetString();
            var answersUs = root.TryGetProperty("id", out var answeredId) && answeredId.GetString() == id;
            if (type == "ack" && answersUs)
            {
                var duplicate = root.TryGetProperty("duplicate", out var flag) && flag.GetBoolean();
                return (root.GetProperty("seq").GetInt64(), duplicate);
            }

            if (type == "error")
            {
                var code = root.GetProperty("code").GetString();
                var message = root.GetProperty("message").GetString();
                if (answersUs && code is "rate_limited" or "store_unavailable")
                {
                    throw new TimeoutException($"The relay could not take it now ({code}: {message}).");
                }

                if (answersUs)
                {
                    // bad_json, bad_frame, too_large: sending the same order again cannot help.
                    throw new InvalidOperationException($"The relay refused order {id}: {code}: {message}");
                }

                // server_shutdown and the like: the connection is ending; the loop above retries.
                throw new WebSocketException($"The relay is closing the connection ({code}: {message}).");
            }
        }
    }

    private async Task<ClientWebSocket> ConnectedAsync(CancellationToken cancellationToken)
    {
        if (_socket is { State: WebSocketState.Open })
        {
            return _socket;
        }

        Drop();
        var socket = new ClientWebSocket();
        _socket = socket;
        await socket.ConnectAsync(relay, cancellationToken);
        var hello = new JsonObject { ["type"] = "hello", ["role"] = "publisher" };
        if (!string.IsNullOrEmpty(publisherKey))
        {
            hello["token"] = publisherKey;
        }

        await SendAsync(socket, hello.ToJsonString(), cancellationToken);
        using var welcome = await ReceiveAsync(socket, cancellationToken);
        if (welcome.RootElement.GetProperty("type").GetString() != "welcome")
        {
            // auth_failed and other refusals: retrying with the same key cannot help.
            throw new InvalidOperationException($"The relay refused the publisher: {welcome.RootElement}");
        }

        return socket;
    }

    private static Task SendAsync(ClientWebSocket socket, string json, CancellationToken cancellationToken) =>
        socket.SendAsync(Encoding.UTF8.GetBytes(json), WebSocketMessageType.Text, endOfMessage: true, cancellationToken);

    private static async Task<JsonDocument> ReceiveAsync(ClientWebSocket socket, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(ReceiveTimeout);
        var buffer = new byte[8192];
        using var message = new MemoryStream();
        try
        {
            while (true)
            {
                var result = await socket.ReceiveAsync(buffer, timeout.Token);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    throw new WebSocketException($"The relay closed the connection ({result.CloseStatus} {result.CloseStatusDescription}).");
                }

                message.Write(buffer, 0, result.Count);
                if (result.EndOfMessage)
                {
                    return JsonDocument.Parse(message.ToArray());
                }
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException($"No answer from the relay within {ReceiveTimeout.TotalSeconds} s.");
        }
    }

    private void Drop()
    {
        _socket?.Abort();
        _socket?.Dispose();
        _socket = null;
    }

    public async ValueTask DisposeAsync()
    {
        if (_socket is { State: WebSocketState.Open } socket)
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2));
            try
            {
                await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "done", timeout.Token);
            }
            catch (Exception ex) when (ex is WebSocketException or OperationCanceledException)
            {
                // Closing politely is a courtesy; the socket is released below either way.
            }
        }

        Drop();
    }
}
