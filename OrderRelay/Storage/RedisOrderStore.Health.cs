using StackExchange.Redis;

namespace OrderRelay.Storage;

/// <summary>Health known without asking: pinged in the background, read by /healthz at once.</summary>
internal sealed partial class RedisOrderStore
{
    /// <summary>Pings Redis in the background, so that <see cref="IsHealthyAsync"/> knows how it is without asking.</summary>
    private async Task CheckHealthAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            bool healthy;
            try
            {
                await Database.PingAsync().WaitAsync(_operationTimeout, cancellationToken).ConfigureAwait(false);
                healthy = true;
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex) when (ex is RedisException or TimeoutException or ObjectDisposedException or InvalidOperationException)
            {
                healthy = false;
            }

            if (healthy != _healthy)
            {
                _healthy = healthy;
                LogHealthChanged(healthy);
            }

            try
            {
                await Task.Delay(HealthCheckInterval, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }
}
