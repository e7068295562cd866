using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using OrderRelay.Configuration;
using OrderRelay.Connections;
using OrderRelay.Core;

namespace OrderRelay.Hosting;

/// <summary>
/// Starts the relay core before Kestrel takes connections and stops it after Kestrel has
/// let them go; on the stop signal, asks every connection to close with 1001.
/// </summary>
internal sealed partial class RelayLifecycle(Relay relay, ConnectionRegistry registry, IHostApplicationLifetime lifetime, RelayOptions options,
    ILogger<RelayLifecycle> logger) : IHostedService
{
    private CancellationTokenRegistration _onStopping;

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

        _onStopping = lifetime.ApplicationStopping.Register(registry.BeginShutdown);
        if (options.Auth.PublisherKeys.Count == 0)
        {
            LogOpenToPublishers(options.Bind);
        }

        if (options.Auth.SubscriberSecret.Length == 0)
        {
            LogOpenToSubscribers(options.Bind);
        }
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await _onStopping.DisposeAsync();
        await relay.StopAsync().WaitAsync(cancellationToken);
    }

    [LoggerMessage(EventId = 400, Level = LogLevel.Warning,
        Message = "Open mode: no Relay:Auth:PublisherKeys, so anyone who reaches {Bind} can publish orders")]
    private partial void LogOpenToPublishers(string bind);

    [LoggerMessage(EventId = 401, Level = LogLevel.Warning,
        Message = "Open mode: no Relay:Auth:SubscriberSecret, so anyone who reaches {Bind} can read every merchant's orders")]
    private partial void LogOpenToSubscribers(string bind);
}
