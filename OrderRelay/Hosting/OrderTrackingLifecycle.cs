using Microsoft.Extensions.Hosting;
using OrderRelay.Core.Escalation;
using OrderRelay.Core.Receipts;

namespace OrderRelay.Hosting;

/// <summary>Starts, after the relay core has opened the journal, what follows orders after delivery: accept broadcasts and escalations.</summary>
internal sealed class OrderTrackingLifecycle(AcceptedBroadcaster broadcaster, EscalationService escalation) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await broadcaster.StartAsync(cancellationToken);
        escalation.Start();
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await escalation.StopAsync().WaitAsync(cancellationToken);
        await broadcaster.StopAsync().WaitAsync(cancellationToken);
    }
}
