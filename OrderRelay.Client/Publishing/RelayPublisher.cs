using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace OrderRelay.Client;

/// <summary>
/// Publishes orders to OrderRelay over one WebSocket, many at a time (up to
/// <see cref="RelayPublisherOptions.MaxInFlight"/> unacknowledged), each call completing when the
/// relay has stored the order. Every publish carries an idempotency id (the caller's, or a new
/// one), so that after a dropped connection the unanswered ones are sent again on the next with the
/// same id and the relay delivers each order once. While no socket can be had, publishes go over
/// <c>POST /publish</c> instead (<see cref="RelayPublisherOptions.HttpFallback"/>). Thread-safe.
/// </summary>
public sealed partial class RelayPublisher : IAsyncDisposable
{
    private readonly RelayPublisherOptions _options;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _window;
    private readonly PublishQueue _queue = new();
    private readonly CancellationTokenSource _stopping = new();
    private readonly HttpPublisher? _http;
    private readonly Lock _starting = new();
    private Task? _running;
    private volatile RelayException? _final;

    /// <exception cref="ArgumentException">A setting is invalid; the message names it.</exception>
    public RelayPublisher(RelayPublisherOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _options = options;
        _logger = options.Logger ?? NullLogger.Instance;
        _window = new SemaphoreSlim(options.MaxInFlight, options.MaxInFlight);
        _http = options.HttpFallback || !options.UseWebSocket ? new HttpPublisher(options) : null;
    }

    /// <inheritdoc cref="PublishAsync(ReadOnlyMemory{byte}, string?, CancellationToken)"/>
    public Task<PublishReceipt> PublishAsync(string orderJson, string? id = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(orderJson);
        return PublishAsync(Encoding.UTF8.GetBytes(orderJson), id, cancellationToken);
    }

    /// <inheritdoc cref="PublishAsync(ReadOnlyMemory{byte}, string?, CancellationToken)"/>
    public Task<PublishReceipt> PublishAsync<T>(T order, JsonTypeInfo<T> typeInfo, string? id = null, CancellationToken cancellationToken = default) =>
        PublishAsync(JsonSerializer.SerializeToUtf8Bytes(order, typeInfo), id, cancellationToken);

    /// <summary>
    /// Publishes one order and completes once the relay has stored it. The order's bytes reach
    /// subscribers exactly as given. Reconnection and resending are handled here; what reaches the
    /// caller is an answer about this order.
    /// </summary>
    /// <param name="utf8Order">The order: one JSON object, UTF-8; its <c>merchant_id</c> routes it.</param>
    /// <param name="id">The idempotency key (1–256 characters), e.g. <c>ord-123456</c>; a new unique one when null.
    /// Publishing again with the same id is always safe: the relay answers the original seq as a duplicate.</param>
    /// <exception cref="ArgumentException">The order is not one JSON object, or the id is empty or too long.</exception>
    /// <exception cref="OrderRejectedException">The relay refused this order (<c>too_large</c>, <c>bad_frame</c>...).</exception>
    /// <exception cref="RelayBusyException">The relay could not take it now (<c>rate_limited</c>, <c>store_unavailable</c>); retry with the same id.</exception>
    /// <exception cref="RelayAuthenticationException">The key was refused; the publisher stops.</exception>
    /// <exception cref="OperationCanceledException">The caller cancelled. If the publish was already sent it may still be
    /// stored: publish again with the same id to learn its seq.</exception>
    /// <exception cref="ObjectDisposedException">The publisher was disposed first.</exception>
    public async Task<PublishReceipt> PublishAsync(ReadOnlyMemory<byte> utf8Order, string? id = null, CancellationToken cancellationToken = default)
    {
        id ??= "pub-" + Guid.NewGuid().ToString("N");
        Wire.PublishFrame.Validate(utf8Order.Span, id);
        ThrowIfStopped();
        await _window.WaitAsync(cancellationToken).ConfigureAwait(false);
        var publish = new PendingPublish(id, utf8Order.ToArray(), ReleaseSlot);
        if (!_queue.TryAdd(publish))
        {
            publish.Fail(Stopped());
        }

        EnsureRunning();
        try
        {
            return await publish.Answer.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            publish.Abandon();
            throw;
        }
    }

    /// <summary>
    /// Stops: the socket is closed and publishes still waiting fail with <see cref="ObjectDisposedException"/>
    /// (await your publishes first to be sure of each).
    /// </summary>
    public async ValueTask DisposeAsync()
    {
        if (_stopping.IsCancellationRequested)
        {
            return;
        }

        _queue.Complete();
        await _stopping.CancelAsync().ConfigureAwait(false);
        if (_running is { } running)
        {
            await running.ConfigureAwait(false);
        }

        _queue.FailAll(new ObjectDisposedException(nameof(RelayPublisher), "The publisher was disposed before the relay answered."));
        _http?.Dispose();
        _stopping.Dispose();
    }

    private void ReleaseSlot() => _window.Release();

    private void EnsureRunning()
    {
        lock (_starting)
        {
            if (_running is null && !_stopping.IsCancellationRequested)
            {
                _running = Task.Run(() => RunAsync(_stopping.Token));
            }
        }
    }

    private void ThrowIfStopped()
    {
        if (_final is { } final)
        {
            throw final is RelayAuthenticationException ? new RelayAuthenticationException(final.Message) : new RelayException(final.Code, final.Message);
        }

        ObjectDisposedException.ThrowIf(_stopping.IsCancellationRequested, this);
    }

    private Exception Stopped() => (Exception?)_final ?? new ObjectDisposedException(nameof(RelayPublisher));
}
