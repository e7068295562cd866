using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using OrderRelay.Diagnostics;
using OrderRelay.Http;
using OrderRelay.Protocol;

namespace OrderRelay.Status;

/// <summary>
/// <c>/status/</c>: a page and its script, embedded in the relay, and <c>GET /status/data</c>, the
/// figures it polls. The page holds no figures; the data endpoint applies <see cref="StatusAccess"/>.
/// </summary>
internal static class StatusPage
{
    public const string RequestPath = "/status";

    /// <summary>The page's own files only: no inline script, no other origin, nothing framing it.</summary>
    private const string ContentSecurityPolicy =
        "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

    private static readonly Dictionary<string, string> Assets = new(StringComparer.Ordinal)
    {
        ["index.html"] = "text/html; charset=utf-8",
        ["status.js"] = "text/javascript; charset=utf-8",
        ["status.css"] = "text/css; charset=utf-8",
        ["favicon.svg"] = "image/svg+xml",
    };

    public static void Map(WebApplication app)
    {
        // Routing reads /status and /status/ as one route; the page's relative links need the slash.
        app.MapGet(RequestPath, (HttpContext context, StatusAccess access) => context.Request.Path.Value!.EndsWith('/')
            ? ServeAssetAsync(context, access, "index.html")
            : RedirectToSlashAsync(context));
        app.MapGet(RequestPath + "/{asset}", (string asset, HttpContext context, StatusAccess access) => ServeAssetAsync(context, access, asset));
        app.MapGet(RequestPath + "/data", DataAsync);
    }

    public static void AddServices(IServiceCollection services)
    {
        services.AddSingleton<ActivityRecorder>();
        services.AddHostedService(provider => provider.GetRequiredService<ActivityRecorder>());
        services.AddSingleton<StatusReportBuilder>();
        services.AddSingleton(provider => new StatusAccess(provider.GetRequiredService<Configuration.RelayOptions>().Status,
            provider.GetRequiredService<Security.PublisherKeys>()));
    }

    private static async Task<IResult> DataAsync(HttpContext context, StatusAccess access, StatusReportBuilder builder, RelayMetrics metrics)
    {
        context.Response.Headers.CacheControl = "no-store";
        switch (access.RefusalForData(context))
        {
            case StatusCodes.Status401Unauthorized:
                return Problems.For(metrics, StatusCodes.Status401Unauthorized, ErrorCodes.AuthFailed,
                    "A valid publisher key is required: Authorization: Bearer <key>.");
            case StatusCodes.Status403Forbidden:
                return Problems.For(metrics, StatusCodes.Status403Forbidden, ErrorCodes.NotAllowed,
                    "With no publisher keys configured the status page is served to loopback clients only (Relay:Status:AllowRemote).");
        }

        var report = await builder.BuildAsync(context.RequestAborted);
        return Results.Json(report, StatusJsonContext.Default.StatusReport);
    }

    private static Task RedirectToSlashAsync(HttpContext context)
    {
        context.Response.Redirect(RequestPath + "/");
        return Task.CompletedTask;
    }

    private static async Task ServeAssetAsync(HttpContext context, StatusAccess access, string asset)
    {
        var response = context.Response;
        if (!Assets.TryGetValue(asset, out var contentType) ||
            typeof(StatusPage).Assembly.GetManifestResourceStream($"OrderRelay.Status.Page.{asset}") is not { } content)
        {
            response.StatusCode = StatusCodes.Status404NotFound;
            return;
        }

        await using (content)
        {
            if (!access.MayServePage(context))
            {
                response.StatusCode = StatusCodes.Status403Forbidden;
                await response.WriteAsync(
                    "With no publisher keys configured the status page is served to loopback clients only (Relay:Status:AllowRemote).\n", context.RequestAborted);
                return;
            }

            response.ContentType = contentType;
            response.Headers.CacheControl = "no-cache";
            response.Headers.ContentSecurityPolicy = ContentSecurityPolicy;
            response.Headers.XContentTypeOptions = "nosniff";
            response.Headers["Referrer-Policy"] = "no-referrer";
            await content.CopyToAsync(response.Body, context.RequestAborted);
        }
    }
}
