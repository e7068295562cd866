using System.Reflection;
using System.Runtime.InteropServices;
using Microsoft.Extensions.Configuration;
using OrderRelay.Configuration;
using OrderRelay.Samples;

namespace OrderRelay.Hosting;

/// <summary>What <c>orderrelay --help</c> and <c>--version</c> print.</summary>
internal static class HelpText
{
    public const string ProgramName = "orderrelay";

    private const string Usage = $"""
        {ProgramName}: pushes new orders to merchant pages the moment they are published
        (WebSocket and POST /publish; protocol: docs/protocol.md).

        Usage:
          {ProgramName} [--demo] [SETTING]...   run the relay until Ctrl+C or SIGTERM
          {ProgramName} token (--merchant ID)... | --all  [--ttl 12h] [SETTING]...
                                           print a subscriber token ({ProgramName} token --help)
          {ProgramName} --help | --version

        Options:
          --demo       publish a synthetic order every 2 s for three merchants (Relay:Demo=true)
          --help, -h   this text
          --version    version, commit and runtime

        Settings are .NET configuration; later sources override earlier ones:
          1. appsettings.json, then appsettings.ENVIRONMENT.json, in the program's folder
          2. environment variables, '__' for ':'          Relay__Port=9001
          3. the command line                              --Relay:Port=9001  --Relay:Port 9001
        Sections: Relay (the relay), Serilog (logging), Kestrel (Kestrel:Limits), and
        --environment NAME (which appsettings.NAME.json is read). Any other argument is refused.
        An unknown or invalid Relay setting stops the start with a message naming it.

          Relay:Port                  8080       TCP port (0: a free one)
          Relay:Bind                  127.0.0.1  address to listen on (* for all)
          Relay:Path                  /          path of the WebSocket endpoint
          Relay:Store                 sqlite     sqlite (durable journal), memory, redis
          Relay:Sqlite:Path           data/orderrelay.db   journal file, relative to the working directory
          Relay:Auth:PublisherKeys:0  (none)     a publisher key; without one, anyone may publish
          Relay:Auth:SubscriberSecret (none)     HS256 secret (32+ bytes) for subscriber tokens
          Relay:ServeSamples          true       serve the merchant page at /merchant/
          Relay:LogFile               (none)     also write JSON logs to this rolling file
          Serilog:MinimumLevel:Default Information
        Every setting, with its default: README.md, "Configuration".

        Exit codes: 0 stopped (or printed what was asked), 2 a wrong argument or setting
        (one line on standard error says which), anything else a crash.

        """;

    /// <summary>The usage, then where this relay, as configured now, reads its settings and keeps its journal.</summary>
    public static void WriteHelp(TextWriter output, IConfiguration configuration)
    {
        var defaults = new RelayOptions();
        var settingsFile = Path.Combine(AppContext.BaseDirectory, "appsettings.json");
        var store = configuration["Relay:Store"] ?? defaults.Store;
        var bind = configuration["Relay:Bind"] ?? defaults.Bind;
        var port = configuration["Relay:Port"] ?? defaults.Port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var logFile = configuration["Relay:LogFile"] ?? defaults.LogFile;

        output.Write(Usage);
        output.WriteLine();
        output.WriteLine("Here, with the settings as they are now:");
        output.WriteLine($"  settings file  {settingsFile}{(File.Exists(settingsFile) ? "" : " (absent: built-in defaults)")}");
        output.WriteLine(store.Equals(StoreKinds.Sqlite, StringComparison.OrdinalIgnoreCase)
            ? $"  journal        {Path.GetFullPath(configuration["Relay:Sqlite:Path"] ?? defaults.Sqlite.Path)}"
            : $"  journal        none on disk (Relay:Store={store})");
        output.WriteLine($"  listens on     {bind}:{port}, WebSocket path {configuration["Relay:Path"] ?? defaults.Path}");
        if (configuration.GetValue("Relay:ServeSamples", defaults.ServeSamples))
        {
            output.WriteLine($"  merchant page  {SampleFiles.MerchantRequestPath}/ (from inside the program)");
        }

        output.WriteLine($"  log            standard output{(logFile.Length > 0 ? $", and {Path.GetFullPath(logFile)}" : "")}");
    }

    /// <summary>The version, the commit it was built from (when built from a git checkout), and the runtime.</summary>
    public static void WriteVersion(TextWriter output)
    {
        var informational = typeof(HelpText).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "0.0.0";
        var plus = informational.IndexOf('+', StringComparison.Ordinal);
        output.WriteLine($"{ProgramName} {(plus < 0 ? informational : informational[..plus])}");
        output.WriteLine($"commit {(plus < 0 ? "unknown (not built from a git checkout)" : informational[(plus + 1)..])}");
        output.WriteLine($".NET {Environment.Version} ({RuntimeInformation.RuntimeIdentifier})");
    }
}
