using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Primitives;
using OrderRelay.Configuration;

namespace OrderRelay.Security;

/// <summary>
/// The one place that decides which address a client has, for every limit, rate-limit
/// partition and log line. Behind trusted proxies (<c>Relay:ForwardedHeaders</c>) that is
/// ASP.NET Core's forwarded-headers rule, applied by its own middleware on both edges: the
/// right-most <c>X-Forwarded-For</c> entry that is not itself a trusted proxy, believed only
/// when the connection comes from a trusted proxy. Otherwise it is the connection's address.
/// </summary>
internal sealed class ClientAddresses
{
    private readonly ForwardedHeadersMiddleware? _forwarders;

    public ClientAddresses(ForwardedHeadersSettings settings)
    {
        if (!settings.IsEnabled)
        {
            return;
        }

        Options = new ForwardedHeadersOptions
        {
            ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto,
            // No limit on the entries walked: the walk stops at the first that is not a trusted proxy.
            ForwardLimit = null,
            RequireHeaderSymmetry = false,
        };
        // The defaults trust loopback; only what the operator names is trusted here.
        Options.KnownProxies.Clear();
        Options.KnownIPNetworks.Clear();
        settings.KnownProxies.ForEach(proxy => Options.KnownProxies.Add(IPAddress.Parse(proxy)));
        settings.KnownNetworks.ForEach(network => Options.KnownIPNetworks.Add(System.Net.IPNetwork.Parse(network)));
        _forwarders = new ForwardedHeadersMiddleware(_ => Task.CompletedTask, NullLoggerFactory.Instance, Microsoft.Extensions.Options.Options.Create(Options));
    }

    /// <summary>The options the HTTP pipeline's forwarded-headers middleware runs with; null when no proxy is trusted.</summary>
    public ForwardedHeadersOptions? Options { get; }

    /// <summary>
    /// The client behind a connection from <paramref name="peer"/> that sent these headers
    /// (each as it appeared, repeated lines as separate values).
    /// </summary>
    public IPAddress? Resolve(IPAddress? peer, StringValues forwardedFor, StringValues forwardedProto)
    {
        if (_forwarders is null || peer is null || StringValues.IsNullOrEmpty(forwardedFor))
        {
            return peer;
        }

        var context = new DefaultHttpContext();
        context.Connection.RemoteIpAddress = peer;
        context.Request.Headers[ForwardedHeadersDefaults.XForwardedForHeaderName] = forwardedFor;
        context.Request.Headers[ForwardedHeadersDefaults.XForwardedProtoHeaderName] = forwardedProto;
        _forwarders.ApplyForwarders(context);
        return context.Connection.RemoteIpAddress;
    }
}
