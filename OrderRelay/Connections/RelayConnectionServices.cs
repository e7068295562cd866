using Microsoft.Extensions.Logging;
using OrderRelay.Configuration;
using OrderRelay.Core;
using OrderRelay.Diagnostics;
using OrderRelay.Protocol;
using OrderRelay.Security;

namespace OrderRelay.Connections;

/// <summary>What every connection shares, gathered so a connection is created with one argument.</summary>
internal sealed record RelayConnectionServices(
    RelayOptions Options,
    Relay Relay,
    ConnectionRegistry Registry,
    ClientFrameParser Parser,
    PublisherKeys PublisherKeys,
    HelloAuthenticator Authenticator,
    ConnectionAdmission Admission,
    ClientAddresses ClientAddresses,
    PublishRateLimits RateLimits,
    RelayMetrics Metrics,
    ILogger<RelayConnection> Logger,
    TimeProvider Time,
    Core.Receipts.OrderAcceptance Acceptance,
    Core.Receipts.ReceiptPump Receipts);
