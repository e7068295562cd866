using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using OrderRelay.Configuration;
using OrderRelay.Core;

namespace OrderRelay.Demo;

/// <summary>
/// With <c>Relay:Demo=true</c>, publishes a synthetic order every couple of seconds through
/// the relay core itself, exactly as a publisher's order would travel (sequenced, stored,
/// fanned out, replayable), so that a newcomer sees a live merchant page at once.
/// </summary>
internal sealed partial class DemoPublisher(Relay relay, RelayOptions options, TimeProvider time, ILogger<DemoPublisher> logger) : BackgroundService
{
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(2);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var orders = new DemoOrders(options.MerchantField, new Random());
        LogDemoStarted(Interval.TotalSeconds, DemoOrders.MerchantList);
        using var timer = new PeriodicTimer(Interval, time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
            {
                var (id, merchantId, json) = orders.Next();
                var request = new PublishRequest(id, merchantId, json);
                try
                {
                    await relay.SubmitAsync(request, stoppingToken).ConfigureAwait(false);
                    var outcome = await request.Task.ConfigureAwait(false);
                    LogDemoOrderPublished(id, merchantId, outcome.Seq);
                }
                catch (PublishFailedException ex)
                {
                    // A store hiccup loses one synthetic order; the demo carries on.
                    LogDemoOrderFailed(id, ex.ErrorCode, ex.Message);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // The relay is stopping.
        }
    }

    [LoggerMessage(EventId = 710, Level = LogLevel.Information, Message = "Demo mode: publishing a synthetic order every {Seconds} s for {Merchants}")]
    private partial void LogDemoStarted(double seconds, string merchants);

    [LoggerMessage(EventId = 711, Level = LogLevel.Debug, Message = "Demo order {Id} for {MerchantId} accepted as seq {Seq}")]
    private partial void LogDemoOrderPublished(string id, string merchantId, long seq);

    [LoggerMessage(EventId = 712, Level = LogLevel.Warning, Message = "Demo order {Id} was not accepted: {Code} {Reason}")]
    private partial void LogDemoOrderFailed(string id, string code, string reason);
}
