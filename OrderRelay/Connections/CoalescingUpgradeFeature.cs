using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http.Features;

namespace OrderRelay.Connections;

/// <summary>
/// Wraps Kestrel's upgrade so the WebSocket middleware builds its socket over a
/// <see cref="CoalescingStream"/>, which the connection's send loop then drives.
/// </summary>
internal sealed class CoalescingUpgradeFeature(IHttpUpgradeFeature inner) : IHttpUpgradeFeature
{
    public bool IsUpgradableRequest => inner.IsUpgradableRequest;

    /// <summary>The upgraded stream; null until the upgrade.</summary>
    public CoalescingStream? Stream { get; private set; }

    public async Task<Stream> UpgradeAsync()
    {
        Stream = new CoalescingStream(await inner.UpgradeAsync().ConfigureAwait(false));
        return Stream;
    }

    /// <summary>Installs the wrapper; must run before <c>UseWebSockets</c>, which captures the upgrade feature.</summary>
    public static void Use(IApplicationBuilder app) =>
        app.Use(static (context, next) =>
        {
            if (context.Features.Get<IHttpUpgradeFeature>() is { IsUpgradableRequest: true } upgrade)
            {
                var coalescing = new CoalescingUpgradeFeature(upgrade);
                context.Features.Set<IHttpUpgradeFeature>(coalescing);
                context.Features.Set(coalescing);
            }

            return next(context);
        });
}
