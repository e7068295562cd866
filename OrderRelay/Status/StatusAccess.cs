using System.Net;
using Microsoft.AspNetCore.Http;
using OrderRelay.Configuration;
using OrderRelay.Security;

namespace OrderRelay.Status;

/// <summary>
/// Who may see the status page: with publisher keys, whoever presents one (as a Bearer header,
/// never in the address); without, loopback clients only unless <c>Relay:Status:AllowRemote</c>.
/// </summary>
internal sealed class StatusAccess(StatusPageOptions options, PublisherKeys keys)
{
    public bool NeedsKey => keys.Required;

    /// <summary>Whether the page itself (which holds no figures) may be served: it is where a key is typed.</summary>
    public bool MayServePage(HttpContext context) => keys.Required || options.AllowRemote || IsLocal(context);

    /// <returns>0 when the figures may be shown, otherwise the HTTP status that refuses them.</returns>
    public int RefusalForData(HttpContext context) =>
        keys.Required ? (keys.Accepts(BearerKey.From(context.Request)) ? 0 : StatusCodes.Status401Unauthorized)
        : options.AllowRemote || IsLocal(context) ? 0 : StatusCodes.Status403Forbidden;

    /// <summary>
    /// A loopback peer that forwards no one: a reverse proxy on the same host whose headers the
    /// relay was not told to trust (<c>Relay:ForwardedHeaders</c>) is not the operator's own browser.
    /// </summary>
    private static bool IsLocal(HttpContext context) =>
        context.Connection.RemoteIpAddress is { } address && IPAddress.IsLoopback(address) &&
        !context.Request.Headers.ContainsKey("X-Forwarded-For") && !context.Request.Headers.ContainsKey("Forwarded");
}
