using Microsoft.Extensions.Hosting;
using OrderRelay.Diagnostics;

namespace OrderRelay.Status;

/// <summary>Samples the relay's metrics once a second into <see cref="History"/> (ten minutes of them), whether or not a page is watching.</summary>
internal sealed class ActivityRecorder(RelayMetrics metrics, TimeProvider time) : IHostedService, IDisposable
{
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(1);

    public const int Samples = 600;

    private ITimer? _timer;

    public ActivityHistory History { get; } = new(Samples);

    public Task StartAsync(CancellationToken cancellationToken)
    {
        Record();
        _timer = time.CreateTimer(static state => ((ActivityRecorder)state!).Record(), this, Interval, Interval);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        _timer?.Dispose();
        return Task.CompletedTask;
    }

    public void Dispose() => _timer?.Dispose();

    /// <summary>Takes one sample now.</summary>
    public void Record() => History.Add(new ActivitySample(
        time.GetUtcNow(),
        (long)metrics.Connections.WithLabels("publisher").Value,
        (long)metrics.Connections.WithLabels("subscriber").Value,
        (long)metrics.OrdersAccepted.Value,
        (long)metrics.Deliveries.Value,
        (long)metrics.SlowConsumersDropped.Value,
        metrics.PublishToSend.Sum,
        metrics.PublishToSend.Count));
}
