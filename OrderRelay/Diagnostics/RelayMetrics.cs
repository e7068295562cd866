using System.Diagnostics;
using Prometheus;

namespace OrderRelay.Diagnostics;

/// <summary>
/// The relay's Prometheus metrics, in a registry of their own so that several relays in
/// one process (as in the tests) never mix their figures.
/// </summary>
internal sealed class RelayMetrics
{
    public RelayMetrics()
    {
        Registry = Metrics.NewCustomRegistry();
        DotNetStats.Register(Registry);
        var factory = Metrics.WithCustomRegistry(Registry);
        // The default looks up the current trace for every increment: measurable on the delivery path, and the relay traces nothing.
        factory.ExemplarBehavior = ExemplarBehavior.NoExemplars();
        Connections = factory.CreateGauge("orderrelay_connections", "Open WebSocket connections by role.",
            new GaugeConfiguration { LabelNames = ["role"] });
        // Both roles show from the start, so a dashboard sees 0 rather than nothing.
        Connections.WithLabels("publisher");
        Connections.WithLabels("subscriber");
        OrdersAccepted = factory.CreateCounter("orderrelay_orders_accepted_total", "Orders accepted and given a seq.");
        DuplicatePublishes = factory.CreateCounter("orderrelay_duplicate_publishes_total", "Publishes recognised by their idempotency key and not delivered again.");
        Deliveries = factory.CreateCounter("orderrelay_deliveries_total", "Order frames written to subscriber sockets, replays included.");
        ReplayedOrders = factory.CreateCounter("orderrelay_replayed_orders_total", "Orders queued to resuming subscribers from history.");
        SlowConsumersDropped = factory.CreateCounter("orderrelay_slow_consumers_dropped_total", "Subscribers disconnected because their queue overflowed.");
        Errors = factory.CreateCounter("orderrelay_errors_total", "Error frames and HTTP problems sent, by protocol code.",
            new CounterConfiguration { LabelNames = ["code"] });
        PublishToSend = factory.CreateHistogram("orderrelay_publish_to_send_seconds",
            "Time from accepting an order to writing it to a subscriber socket; each send burst counts its deliveries at the age of its oldest order, an upper bound.",
            new HistogramConfiguration { Buckets = Histogram.ExponentialBuckets(0.0001, 2, 16) });
        UnacceptedOrders = factory.CreateGauge("orderrelay_unaccepted_orders",
            "Orders still owed an escalation (no person accepted them, the webhook has not taken them), by how long ago the relay accepted them: cumulative, older_than=0s is all of them. Only with Relay:Escalation:After set.",
            new GaugeConfiguration { LabelNames = ["older_than"] });
        Escalations = factory.CreateCounter("orderrelay_escalations_total",
            "Escalation webhook calls: sent (answered 2xx), failed (to be retried), refused (an order got no obligation: Relay:Escalation:MaxPending reached).",
            new CounterConfiguration { LabelNames = ["outcome"] });
        Escalations.WithLabels("sent");
        Escalations.WithLabels("failed");
        Escalations.WithLabels("refused");
    }

    public CollectorRegistry Registry { get; }

    public Gauge UnacceptedOrders { get; }

    public Counter Escalations { get; }

    public Gauge Connections { get; }

    public Counter OrdersAccepted { get; }

    public Counter DuplicatePublishes { get; }

    public Counter Deliveries { get; }

    public Counter ReplayedOrders { get; }

    public Counter SlowConsumersDropped { get; }

    public Counter Errors { get; }

    public Histogram PublishToSend { get; }

    /// <summary>
    /// Counts a connection's burst of sends once: per delivery, the shared counter and histogram
    /// took a sixth of the relay's CPU. The burst's deliveries are filed at the age of its oldest order.
    /// </summary>
    public void RecordSendBurst(int deliveries, long oldestAcceptedTimestamp)
    {
        if (deliveries > 0)
        {
            Deliveries.Inc(deliveries);
            PublishToSend.Observe(Stopwatch.GetElapsedTime(oldestAcceptedTimestamp).TotalSeconds, deliveries);
        }
    }
}
