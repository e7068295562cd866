using System.Runtime.CompilerServices;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using OrderRelay.Client.Wire;

namespace OrderRelay.Client;

/// <summary>
/// Receives orders from OrderRelay and keeps receiving them across dropped connections: each
/// reconnection resumes with <c>since</c> (the last seq handed over) and <c>epoch</c>, so the relay
/// replays exactly what was missed. When it cannot (history pruned, epoch changed), the
/// <see cref="Connected"/> event says <c>Recovered = false</c>: never a silent gap.
/// </summary>
public sealed partial class RelaySubscriber : IAsyncDisposable
{
    private static readonly TimeSpan CloseTimeout = TimeSpan.FromSeconds(1);

    private readonly RelaySubscriberOptions _options;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _sending = new(1, 1);
    private readonly CancellationTokenSource _disposing = new();
    private readonly Lock _confirmations = new();
    private volatile FrameChannel? _channel;
    private long _position;
    private bool _hasPosition;
    private string? _epoch;
    private long _confirmWanted;
    private long _confirmSent;
    private int _reading;

    /// <exception cref="ArgumentException">A setting is invalid; the message names it.</exception>
    public RelaySubscriber(RelaySubscriberOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _options = options;
        _logger = options.Logger ?? NullLogger.Instance;
        _hasPosition = options.Since is not null;
        _position = options.Since ?? 0;
        _epoch = options.Epoch;
    }

    /// <summary>The seq of the last order handed over (the position a reconnection resumes from); keep it with <see cref="Epoch"/> to resume after a restart.</summary>
    public long LastSeq => Interlocked.Read(ref _position);

    /// <summary>The relay's epoch, from the last welcome (or <see cref="RelaySubscriberOptions.Epoch"/> before the first).</summary>
    public string? Epoch => Volatile.Read(ref _epoch);

    /// <summary>
    /// Connects, then yields events until <paramref name="cancellationToken"/> is cancelled, reconnecting
    /// with back-off as needed. One reader at a time.
    /// </summary>
    /// <exception cref="RelayAuthenticationException">The token was refused (and no <see cref="RelaySubscriberOptions.TokenProvider"/> can give another).</exception>
    /// <exception cref="RelayException">The relay refused the hello itself (e.g. a merchant list it cannot read).</exception>
    public async IAsyncEnumerable<SubscriberEvent> ReadAllAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        if (Interlocked.Exchange(ref _reading, 1) == 1)
        {
            throw new InvalidOperationException("A RelaySubscriber has one reader at a time.");
        }

        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _disposing.Token);
        var backoff = new Backoff(_options.ReconnectDelay, _options.MaxReconnectDelay);
        try
        {
            while (true)
            {
                var (channel, connected, failure) = await ConnectAsync(stop.Token).ConfigureAwait(false);
                if (channel is null)
                {
                    var retryIn = backoff.Next();
                    Log.ConnectFailed(_logger, _options.RelayUri!, failure!, backoff.Failures, retryIn);
                    yield return new Disconnected(failure!, retryIn);
                    await Task.Delay(retryIn, _options.TimeProvider, stop.Token).ConfigureAwait(false);
                    continue;
                }

                backoff.Reset();
                _channel = channel;
                yield return connected!;
                await SendConfirmationAsync(stop.Token).ConfigureAwait(false);
                string reason;
                while (true)
                {
                    var (order, ended) = await ReceiveAsync(channel, stop.Token).ConfigureAwait(false);
                    if (order is null)
                    {
                        reason = ended!;
                        break;
                    }

                    Interlocked.Exchange(ref _position, order.Seq);
                    yield return order;
                }

                _channel = null;
                await channel.CloseAsync(TimeSpan.Zero).ConfigureAwait(false);
                var delay = backoff.Next();
                Log.Disconnected(_logger, reason, LastSeq, delay);
                yield return new Disconnected(reason, delay);
                await Task.Delay(delay, _options.TimeProvider, stop.Token).ConfigureAwait(false);
            }
        }
        finally
        {
            if (_channel is { } open)
            {
                _channel = null;
                await open.CloseAsync(CloseTimeout).ConfigureAwait(false);
            }

            Volatile.Write(ref _reading, 0);
        }
    }

    /// <summary>Calls <paramref name="onOrder"/> for each order (and <paramref name="onConnected"/> for each welcome) until cancelled.</summary>
    public async Task RunAsync(Func<OrderReceived, CancellationToken, ValueTask> onOrder, Func<Connected, CancellationToken, ValueTask>? onConnected = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(onOrder);
        await foreach (var happened in ReadAllAsync(cancellationToken).ConfigureAwait(false))
        {
            switch (happened)
            {
                case OrderReceived order:
                    await onOrder(order, cancellationToken).ConfigureAwait(false);
                    break;
                case Connected connected when onConnected is not null:
                    await onConnected(connected, cancellationToken).ConfigureAwait(false);
                    break;
            }
        }
    }

    /// <summary>
    /// A read receipt: tells the relay this client has shown every order up to <paramref name="seq"/>
    /// (recorded per merchant, see GET /merchants/ID). While disconnected, the newest receipt is sent
    /// after the next welcome; receipts never move back.
    /// </summary>
    public async Task ConfirmAsync(long seq, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(seq, 1);
        lock (_confirmations)
        {
            _confirmWanted = Math.Max(_confirmWanted, seq);
        }

        await SendConfirmationAsync(cancellationToken).ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        await _disposing.CancelAsync().ConfigureAwait(false);
        if (_channel is { } open)
        {
            _channel = null;
            await open.CloseAsync(CloseTimeout).ConfigureAwait(false);
        }
    }
}
