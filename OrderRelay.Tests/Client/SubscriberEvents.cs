using System.Threading.Channels;
using OrderRelay.Client;

namespace OrderRelay.Tests.Client;

/// <summary>Reads a <see cref="RelaySubscriber"/> in the background so a test can await its events one by one.</summary>
internal sealed class SubscriberEvents : IAsyncDisposable
{
    private readonly Channel<SubscriberEvent> _events = Channel.CreateUnbounded<SubscriberEvent>();
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _reading;

    public SubscriberEvents(RelaySubscriber subscriber)
    {
        Subscriber = subscriber;
        _reading = ReadAsync();
    }

    public RelaySubscriber Subscriber { get; }

    /// <summary>What ended the reading (an exception from the subscriber), once it has ended.</summary>
    public Task Reading => _reading;

    /// <summary>
    /// The next event of type <typeparamref name="T"/>. <see cref="Disconnected"/> events (reconnection
    /// attempts) are skipped unless asked for; any other event in between fails the test.
    /// </summary>
    public async Task<T> NextAsync<T>(TimeSpan? wait = null)
        where T : SubscriberEvent
    {
        using var timeout = new CancellationTokenSource(wait ?? TimeSpan.FromSeconds(20));
        while (true)
        {
            var next = await _events.Reader.ReadAsync(timeout.Token);
            if (next is T wanted)
            {
                return wanted;
            }

            Assert.That(next, Is.InstanceOf<Disconnected>(), $"expected {typeof(T).Name}");
        }
    }

    public async Task<long[]> OrderSeqsAsync(int count)
    {
        var seqs = new long[count];
        for (var i = 0; i < count; i++)
        {
            seqs[i] = (await NextAsync<OrderReceived>()).Seq;
        }

        return seqs;
    }

    private async Task ReadAsync()
    {
        try
        {
            await foreach (var happened in Subscriber.ReadAllAsync(_stop.Token))
            {
                await _events.Writer.WriteAsync(happened);
            }
        }
        finally
        {
            _events.Writer.TryComplete();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        try
        {
            await _reading;
        }
        catch (Exception ex) when (ex is OperationCanceledException or RelayException)
        {
            // Stopped by the test, or ended by a refusal the test has already looked at.
        }

        await Subscriber.DisposeAsync();
        _stop.Dispose();
    }
}
