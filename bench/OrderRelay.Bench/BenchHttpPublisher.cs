using System.Net;
using System.Text;

namespace OrderRelay.Bench;

/// <summary>
/// Publishes by <c>POST /publish</c>, as a PHP backend does, over a few kept-alive connections:
/// at most <c>window</c> requests in flight, each answered 200 with its seq or counted as a failure.
/// </summary>
internal sealed class BenchHttpPublisher : IDisposable
{
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
        var request = new HttpRequestMessage(HttpMethod.Post, "publish")
        {
            Content = new StringContent(BenchFrames.Order(number, merchant, sentAt), Encoding.UTF8, "application/json"),
        };
        request.Headers.Add("Idempotency-Key", _idPrefix + number);
        _ = SendAsync(request);
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

    private async Task SendAsync(HttpRequestMessage request)
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
    }

    public void Dispose()
    {
        _client.Dispose();
        _window.Dispose();
    }
}
