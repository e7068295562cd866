using System.Collections.Concurrent;
using Microsoft.Extensions.Hosting;

namespace OrderRelay.Compat;

/// <summary>The open seed connections, so that the relay's shutdown reaches them as it reaches its own (1001).</summary>
internal sealed class SeedConnections(IHostApplicationLifetime lifetime) : IHostedService
{
    private readonly ConcurrentDictionary<SeedConnection, byte> _open = new();
    private CancellationTokenRegistration _onStopping;

    public void Add(SeedConnection connection)
    {
        _open[connection] = 0;
        if (lifetime.ApplicationStopping.IsCancellationRequested)
        {
            connection.Shutdown();
        }
    }

    public void Remove(SeedConnection connection) => _open.TryRemove(connection, out _);

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _onStopping = lifetime.ApplicationStopping.Register(() =>
        {
            foreach (var connection in _open.Keys)
            {
                connection.Shutdown();
            }
        });
        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken) => await _onStopping.DisposeAsync();
}
