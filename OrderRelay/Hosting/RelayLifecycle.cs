using Microsoft.Extensions.Hosting;
using OrderRelay.Configuration;
using OrderRelay.Connections;
using OrderRelay.Core;

namespace OrderRelay.Hosting;

/// <summary>
/// Starts the relay core before Kestrel takes connections and stops it after Kestrel has
/// let them go; on the stop signal, asks every connection to close with 1001.
/// </summary>
internal sealed class RelayLifecycle(Relay relay, ConnectionRegistry registry, IHostApplicationLifetime lifetime, RelayOptions options)
    : IHostedService
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
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await _onStopping.DisposeAsync();
        await relay.StopAsync().WaitAsync(cancellationToken);
    }
}
