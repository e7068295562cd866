using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.FileProviders;
using Microsoft.Extensions.Logging;

namespace OrderRelay.Samples;

/// <summary>
/// Serves folders of the repository that are embedded in the relay's own assembly
/// (OrderRelay.csproj: <c>EmbeddedResource</c> with a <c>LinkBase</c>, listed in the embedded-files
/// manifest), each at one request path: the single-file binary alone serves them, with
/// nothing to copy beside it. The merchant page is served by the relay so that the page and
/// the socket share one origin and the page finds the relay without being told where it is.
/// </summary>
internal static partial class SampleFiles
{
    public const string MerchantRequestPath = "/merchant";

    public const string ClientRequestPath = "/clients/js";

    /// <summary>Each embedded folder (its <c>LinkBase</c>) and the request path it is served at.</summary>
    public static readonly IReadOnlyList<(string Folder, string RequestPath)> Folders =
    [
        ("samples/merchant", MerchantRequestPath),
        // The page imports the module by the relative path "../../clients/js/", which resolves here
        // on the relay and in the repository alike.
        ("clients/js", ClientRequestPath),
    ];

    /// <summary>The files of one embedded folder, as the relay serves them.</summary>
    public static IFileProvider Open(string folder) => new ManifestEmbeddedFileProvider(typeof(SampleFiles).Assembly, folder);

    public static void Map(WebApplication app)
    {
        foreach (var (folder, requestPath) in Folders)
        {
            app.UseFileServer(new FileServerOptions
            {
                FileProvider = Open(folder),
                RequestPath = requestPath,
                EnableDefaultFiles = true,
                StaticFileOptions =
                {
                    // Small files that change with every build of the relay: always revalidate.
                    OnPrepareResponse = context => context.Context.Response.Headers.CacheControl = "no-cache",
                },
            });
            LogFolderServed(app.Logger, requestPath + "/", folder);
        }
    }

    [LoggerMessage(EventId = 700, Level = LogLevel.Information, Message = "Serving {RequestPath} from the embedded {Folder} folder")]
    private static partial void LogFolderServed(ILogger logger, string requestPath, string folder);
}
