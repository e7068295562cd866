using System.Net.WebSockets;
using System.Text;

namespace PublishBench;

/// <summary>One publisher socket keeping up to <see cref="InFlight"/> publishes unanswered, counting acks.</summary>
internal sealed class BenchPublisher : IAsyncDisposable
{
    public const int InFlight = 64;

    private static readonly string Padding = new('x', 330);
    private readonly ClientWebSocket _socket;
    private readonly int _index;
    private long _acked;

    private BenchPublisher(ClientWebSocket socket, int index)
    {
        _socket = socket;
        _index = index;
    }

    public static int OrderBytes => Order(0, 123456).Length;

    public long Acked => Interlocked.Read(ref _acked);

    public static async Task<BenchPublisher> ConnectAsync(Uri relay, int index)
    {
        var socket = new ClientWebSocket();
        await socket.ConnectAsync(relay, CancellationToken.None);
        await socket.SendAsync("""{"type":"hello","role":"publisher"}"""u8.ToArray(), WebSocketMessageType.Text, true, CancellationToken.None);
        var buffer = new byte[4096];
        await socket.ReceiveAsync(buffer, CancellationToken.None);
        return new BenchPublisher(socket, index);
    }

    public async Task RunAsync(CancellationToken stop)
    {
        using var window = new SemaphoreSlim(InFlight, InFlight);
        var receiving = ReceiveAcksAsync(window);
        try
        {
            for (var n = 0; ; n++)
            {
                await window.WaitAsync(stop);
                var frame = Encoding.UTF8.GetBytes($$"""{"type":"publish","id":"p{{_index}}-{{n}}","order":{{Order(_index, n)}}}""");
                // Not cancellable: a cancelled send aborts the socket mid-frame.
                await _socket.SendAsync(frame, WebSocketMessageType.Text, true, CancellationToken.None);
            }
        }
        catch (OperationCanceledException)
        {
            // The measurement is over.
        }

        // Acks still in flight no longer count; the relay is killed after the run anyway.
        _socket.Abort();
        await receiving;
    }

    public async ValueTask DisposeAsync()
    {
        _socket.Abort();
        _socket.Dispose();
        await Task.CompletedTask;
    }

    private async Task ReceiveAcksAsync(SemaphoreSlim window)
    {
        var buffer = new byte[16 * 1024];
        try
        {
            while (true)
            {
                var result = await _socket.ReceiveAsync(buffer, CancellationToken.None);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    return;
                }

                if (result.EndOfMessage && buffer.AsSpan(0, result.Count).IndexOf("\"ack\""u8) >= 0)
                {
                    Interlocked.Increment(ref _acked);
                    window.Release();
                }
            }
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or ObjectDisposedException)
        {
            // The socket was aborted at the end of the run.
        }
    }

    /// <summary>An order of about 500 bytes, shaped like a real one.</summary>
    private static string Order(int publisher, int n) =>
        $$"""{"order_id":{{(publisher * 100_000_000L) + n}},"merchant_id":"m-{{n % 1000}}","customer_name":"张三","order_amount":100.00,"currency":"CNY","items":[{"sku":"SKU-{{n % 97}}","qty":2,"price":50.00}],"note":"{{Padding}}"}""";
}
