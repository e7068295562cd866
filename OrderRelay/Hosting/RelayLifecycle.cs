using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using OrderRelay.Configuration;
using OrderRelay.Connections;
using OrderRelay.Core;

namespace OrderRelay.Hosting;

/// <summary>
/// Starts the relay core before Kestrel takes connections and stops it after Kestrel has
/// let them go. Shutdown is staged: before Kestrel stops, every connection is asked to close
/// with 1001 after what is queued, and the relay waits for them (each aborts its own peer if
/// the close is not answered in time), so Kestrel finds nothing left to cut off.
/// </summary>
internal sealed partial class RelayLifecycle(Relay relay, ConnectionRegistry registry, TimeProvider time, RelayOptions options,
    ILogger<RelayLifecycle> logger) : IHostedLifecycleService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        try
        {
            await relay.StartAsync(cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException and not RelayStartupException)
        {
            throw new RelayStartupException($"The '{options.Store}' store (Relay:Store) could not be opened: {ex.Message}", ex);
        }

        if (options.Auth.PublisherKeys.Count == 0)
        {
            LogOpenToPublishers(options.Bind);
        }

        if (options.Auth.SubscriberSecret.Length == 0)
        {
            LogOpenToSubscribers(options.Bind);
        }
    }

    public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Runs before any hosted service stops, Kestrel included.</summary>
    public async Task StoppingAsync(CancellationToken cancellationToken)
    {
        registry.BeginShutdown();
        // A connection drains for up to CloseTimeout, then waits as long again for the peer's close before aborting it.
        var allowance = options.CloseTimeout * 3;
        try
        {
            await registry.WhenAllClosedAsync(allowance, time).WaitAsync(cancellationToken);
        }
        catch (TimeoutException)
        {
            LogConnectionsStillOpen(registry.Count, allowance);
        }
    }

    public async Task StopAsync(CancellationToken cancellationToken) => await relay.StopAsync().WaitAsync(cancellationToken);

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(EventId = 402, Level = LogLevel.Warning,
        Message = "{Count} connections were still open {Allowance} after being asked to close; Kestrel ends them")]
    private partial void LogConnectionsStillOpen(int count, TimeSpan allowance);

    [LoggerMessage(EventId = 400, Level = LogLevel.Warning,
        Message = "Open mode: no Relay:Auth:PublisherKeys, so anyone who reaches {Bind} can publish orders")]
    private partial void LogOpenToPublishers(string bind);

    [LoggerMessage(EventId = 401, Level = LogLevel.Warning,
        Message = "Open mode: no Relay:Auth:SubscriberSecret, so anyone who reaches {Bind} can read every merchant's orders")]
    private partial void LogOpenToSubscribers(string bind);
}
