using System.Buffers;
using System.Net;
using System.Net.Http.Headers;

namespace OrderRelay.Bench;

/// <summary>
/// Publishes by <c>POST /publish</c>, as a PHP backend does, over a few kept-alive connections:
/// at most <c>window</c> requests in flight, each answered 200 with its seq or counted as a failure.
/// </summary>
internal sealed class BenchHttpPublisher : IDisposable
{
    private const int OrderBufferSize = 2048;
    private readonly HttpClient _client;
    private readonly SemaphoreSlim _window;
    private readonly string _idPrefix = "h-" + Guid.NewGuid().ToString("N")[..8] + "-";
    private long _published;
    private long _answered;

    public BenchHttpPublisher(Uri webSocketUri, int window)
    {
        var handler = new SocketsHttpHandler { MaxConnectionsPerServer = 8, UseProxy = false, UseCookies = false };
        _client = new HttpClient(handler)
        {
            BaseAddress = new Uri($"http://{webSocketUri.Authority}/"),
            Timeout = TimeSpan.FromSeconds(30),
        };
        _window = new SemaphoreSlim(window, window);
    }

    public long Published => Volatile.Read(ref _published);

    public string? Failure { get; private set; }

    /// <summary>Starts one publish, first waiting for a free slot; its answer is awaited in the background.</summary>
    public async ValueTask PublishAsync(string merchant, long sentAt, CancellationToken cancellationToken)
    {
        if (Failure is { } failure)
        {
            throw new BenchRunFailedException("HTTP publisher: " + failure);
        }

        await _window.WaitAsync(cancellationToken);
        var number = Interlocked.Increment(ref _published);
        var body = ArrayPool<byte>.Shared.Rent(OrderBufferSize);
        var content = new ByteArrayContent(body, 0, BenchFrames.WriteOrder(body, number, merchant, sentAt));
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json", "utf-8");
        var request = new HttpRequestMessage(HttpMethod.Post, "publish") { Content = content };
        request.Headers.Add("Idempotency-Key", _idPrefix + number);
        _ = SendAsync(request, body);
    }

    /// <summary>Completes once every publish sent so far is answered, or fails after <paramref name="limit"/>.</summary>
    public async Task WaitForAnswersAsync(TimeSpan limit)
    {
        var deadline = DateTime.UtcNow + limit;
        while (Volatile.Read(ref _answered) < Published)
        {
            if (Failure is not null || DateTime.UtcNow > deadline)
            {
                throw new BenchRunFailedException($"HTTP publisher: {Published - Volatile.Read(ref _answered)} publishes unanswered: {Failure}");
            }

            await Task.Delay(1);
        }
    }

    /// <summary>Sends <paramref name="request"/> and then returns its <paramref name="body"/> to the pool.</summary>
    private async Task SendAsync(HttpRequestMessage request, byte[] body)
    {
        try
        {
            using (request)
            using (var response = await _client.SendAsync(request))
            {
                if (response.StatusCode != HttpStatusCode.OK)
                {
                    Failure ??= $"{(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}";
                    return;
                }
            }

            Interlocked.Increment(ref _answered);
            _window.Release();
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or ObjectDisposedException)
        {
            Failure ??= ex.Message;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(body);
        }
    }

    public void Dispose()
    {
        _client.Dispose();
        _window.Dispose();
    }
}
