using System.Net.WebSockets;
using System.Text;
using System.Text.Json;

namespace OrderRelay.Tests.Support;

/// <summary>A protocol client over a real <see cref="ClientWebSocket"/>; every wait is bounded.</summary>
internal sealed class WsClient : IAsyncDisposable
{
    public static readonly TimeSpan DefaultWait = TimeSpan.FromSeconds(10);

    public const string PublisherHello = """{"type":"hello","role":"publisher"}""";

    public const string SubscriberHello = """{"type":"hello","role":"subscriber"}""";

    private readonly WebSocket _socket;

    private WsClient(WebSocket socket) => _socket = socket;

    public WebSocket Socket => _socket;

    public JsonElement Welcome { get; private set; }

    /// <param name="invoker">Sends the upgrade request, e.g. from a chosen source address; null for a connection of its own.</param>
    public static async Task<WsClient> ConnectAsync(Uri uri, Action<ClientWebSocketOptions>? configure = null, HttpMessageInvoker? invoker = null,
        CancellationToken cancellationToken = default)
    {
        var socket = new ClientWebSocket();
        socket.Options.KeepAliveInterval = TimeSpan.Zero;
        configure?.Invoke(socket.Options);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(DefaultWait);
        try
        {
            await socket.ConnectAsync(uri, invoker, timeout.Token);
        }
        catch
        {
            socket.Dispose();
            throw;
        }

        return new WsClient(socket);
    }

    /// <summary>Connects and says <paramref name="helloJson"/>: a client past its welcome.</summary>
    public static async Task<WsClient> ConnectAndHelloAsync(Uri uri, string helloJson, Action<ClientWebSocketOptions>? configure = null)
    {
        var client = await ConnectAsync(uri, configure);
        try
        {
            await client.HelloAsync(helloJson);
            return client;
        }
        catch
        {
            await client.DisposeAsync();
            throw;
        }
    }

    /// <summary>A client over a socket made elsewhere, e.g. one end of an in-memory pair.</summary>
    public static WsClient Over(WebSocket socket) => new(socket);

    public async Task<JsonElement> HelloAsync(string helloJson)
    {
        await SendAsync(helloJson);
        Welcome = await ReceiveAsync();
        Assert.That(Welcome.GetProperty("type").GetString(), Is.EqualTo("welcome"), Welcome.ToString());
        return Welcome;
    }

    public Task SendAsync(string json) => SendAsync(Encoding.UTF8.GetBytes(json), WebSocketMessageType.Text);

    public async Task SendAsync(byte[] bytes, WebSocketMessageType type)
    {
        using var timeout = new CancellationTokenSource(DefaultWait);
        await _socket.SendAsync(bytes, type, endOfMessage: true, timeout.Token);
    }

    /// <summary>Sends a publish and returns its ack (or error) frame.</summary>
    public async Task<JsonElement> PublishAsync(string orderJson, string? id = null)
    {
        await SendPublishAsync(orderJson, id);
        return await ReceiveAsync();
    }

    /// <summary>
    /// Publishes until acked, as a publisher riding out a store outage does: each
    /// <c>store_unavailable</c> is retried with the same id; any other answer fails the test.
    /// </summary>
    public Task<JsonElement> PublishUntilAckedAsync(string orderJson, string id) =>
        // Nothing announces that the store is back, so a publisher can only try again.
        Eventually.UntilAsync(() => PublishAsync(orderJson, id), answer =>
        {
            if (answer.Type() == "ack")
            {
                return true;
            }

            Assert.That(answer.Code(), Is.EqualTo("store_unavailable"));
            return false;
        }, "the store to take the publish again");

    public Task SendPublishAsync(string orderJson, string? id = null) =>
        SendAsync(id is null
            ? $$"""{"type":"publish","order":{{orderJson}}}"""
            : $$"""{"type":"publish","id":{{JsonSerializer.Serialize(id)}},"order":{{orderJson}}}""");

    /// <summary>The next text message as raw text; fails on close or after the wait.</summary>
    public async Task<string> ReceiveTextAsync(TimeSpan? wait = null)
    {
        using var timeout = new CancellationTokenSource(wait ?? DefaultWait);
        var buffer = new byte[16 * 1024];
        using var message = new MemoryStream();
        while (true)
        {
            var result = await _socket.ReceiveAsync(buffer, timeout.Token);
            if (result.MessageType == WebSocketMessageType.Close)
            {
                throw new AssertionException($"Expected a message but the relay closed with {result.CloseStatus} ({result.CloseStatusDescription}).");
            }

            message.Write(buffer, 0, result.Count);
            if (result.EndOfMessage)
            {
                return Encoding.UTF8.GetString(message.ToArray());
            }
        }
    }

    /// <summary>The next frame, or null when the relay closed the connection instead; fails after the wait.</summary>
    public async Task<JsonElement?> ReceiveOrCloseAsync(TimeSpan wait)
    {
        using var timeout = new CancellationTokenSource(wait);
        var buffer = new byte[16 * 1024];
        using var message = new MemoryStream();
        while (true)
        {
            var result = await _socket.ReceiveAsync(buffer, timeout.Token);
            if (result.MessageType == WebSocketMessageType.Close)
            {
                return null;
            }

            message.Write(buffer, 0, result.Count);
            if (result.EndOfMessage)
            {
                using var document = JsonDocument.Parse(message.ToArray());
                return document.RootElement.Clone();
            }
        }
    }

    public async Task<JsonElement> ReceiveAsync(TimeSpan? wait = null)
    {
        var text = await ReceiveTextAsync(wait);
        using var document = JsonDocument.Parse(text);
        return document.RootElement.Clone();
    }

    /// <summary>Receives until a frame of <paramref name="type"/>, skipping others (e.g. acks while waiting for an order).</summary>
    public async Task<JsonElement> ReceiveOfTypeAsync(string type, TimeSpan? wait = null)
    {
        while (true)
        {
            var frame = await ReceiveAsync(wait);
            if (frame.GetProperty("type").GetString() == type)
            {
                return frame;
            }
        }
    }

    /// <summary>The seqs of the next <paramref name="count"/> frames, each of which must be an order.</summary>
    public async Task<long[]> ReceiveOrderSeqsAsync(int count)
    {
        var seqs = new long[count];
        for (var i = 0; i < count; i++)
        {
            var frame = await ReceiveAsync();
            Assert.That(frame.GetProperty("type").GetString(), Is.EqualTo("order"), frame.ToString());
            seqs[i] = frame.GetProperty("seq").GetInt64();
        }

        return seqs;
    }

    /// <summary>Reads until the relay's close frame, answering it, and returns the close code.</summary>
    public async Task<WebSocketCloseStatus?> ReceiveCloseAsync(TimeSpan? wait = null)
    {
        using var timeout = new CancellationTokenSource(wait ?? DefaultWait);
        var buffer = new byte[64 * 1024];
        while (true)
        {
            var result = await _socket.ReceiveAsync(buffer, timeout.Token);
            if (result.MessageType == WebSocketMessageType.Close)
            {
                return result.CloseStatus;
            }
        }
    }

    /// <summary>Expects an error frame with <paramref name="code"/> and then the close code <paramref name="closeStatus"/>.</summary>
    public async Task ExpectErrorThenCloseAsync(string code, WebSocketCloseStatus closeStatus)
    {
        var error = await ReceiveOfTypeAsync("error");
        Assert.That(error.GetProperty("code").GetString(), Is.EqualTo(code), error.ToString());
        Assert.That(await ReceiveCloseAsync(), Is.EqualTo(closeStatus));
    }

    public async ValueTask DisposeAsync()
    {
        if (_socket.State == WebSocketState.Open)
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2));
            try
            {
                await _socket.CloseAsync(WebSocketCloseStatus.NormalClosure, null, timeout.Token);
            }
            catch (Exception ex) when (ex is WebSocketException or OperationCanceledException)
            {
                // The relay may already be gone; the socket is torn down below either way.
            }
        }

        _socket.Dispose();
    }
}
