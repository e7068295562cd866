using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.FileProviders;
using Microsoft.Extensions.Logging;

namespace OrderRelay.Samples;

/// <summary>
/// Serves <c>samples/merchant/</c> (copied beside the relay's binaries at build time) at
/// <c>/merchant/</c>, so that the page and the socket share one origin and the page finds
/// the relay without being told where it is; and the browser client module it imports,
/// <c>clients/js/</c>, at <c>/clients/js/</c> (the path that the page's relative import
/// resolves to both here and in the repository).
/// </summary>
internal static partial class SampleFiles
{
    public const string RequestPath = "/merchant";

    public const string ClientRequestPath = "/clients/js";

    public static string MerchantFolder => Path.Combine(AppContext.BaseDirectory, "samples", "merchant");

    public static string ClientFolder => Path.Combine(AppContext.BaseDirectory, "clients", "js");

    public static void Map(WebApplication app)
    {
        var folder = MerchantFolder;
        if (!File.Exists(Path.Combine(folder, "index.html")))
        {
            LogMerchantPageMissing(app.Logger, folder);
            return;
        }

        Serve(app, folder, RequestPath);
        if (Directory.Exists(ClientFolder))
        {
            Serve(app, ClientFolder, ClientRequestPath);
        }
        LogMerchantPageServed(app.Logger, RequestPath + "/", folder);
    }

    private static void Serve(WebApplication app, string folder, string requestPath) =>
        app.UseFileServer(new FileServerOptions
        {
            FileProvider = new PhysicalFileProvider(folder),
            RequestPath = requestPath,
            EnableDefaultFiles = true,
            StaticFileOptions =
            {
                // The page is small and edited in place while developing: always revalidate.
                OnPrepareResponse = context => context.Context.Response.Headers.CacheControl = "no-cache",
            },
        });

    [LoggerMessage(EventId = 700, Level = LogLevel.Information, Message = "Merchant sample page served at {RequestPath} from {Folder}")]
    private static partial void LogMerchantPageServed(ILogger logger, string requestPath, string folder);

    [LoggerMessage(EventId = 701, Level = LogLevel.Warning, Message = "Relay:ServeSamples is on but the merchant page is not at {Folder}; nothing is served at /merchant/")]
    private static partial void LogMerchantPageMissing(ILogger logger, string folder);
}
