using System.Globalization;
using Microsoft.Extensions.Configuration;
using OrderRelay.Configuration;

namespace OrderRelay.Security;

/// <summary>
/// <c>orderrelay token --merchant m-1001 [--merchant …|--all] [--ttl 12h]</c>: prints a subscriber
/// token signed with the configured <c>Relay:Auth:SubscriberSecret</c> (same sources as the relay).
/// </summary>
internal static class TokenCommand
{
    public const string Name = "token";

    private const string Usage = "usage: orderrelay token (--merchant ID)... | --all  [--ttl 12h|30m|3600s|d.hh:mm:ss]  [--Relay:Auth:SubscriberSecret=…]";

    private const string Help = $"""
        {Usage}

        Prints a subscriber token (an HS256 JWT) on standard output, for merchant pages to send
        as "token" in hello. It is signed with Relay:Auth:SubscriberSecret, read like the relay
        reads it: appsettings.json in the program's folder, then environment variables
        (Relay__Auth__SubscriberSecret), then --Relay:… settings given here. Relay:Auth:Issuer
        and Relay:Auth:Audience, when set, go into the token too.

          --merchant ID   a merchant the token grants (repeat for several)
          --all           every merchant, and orders without one (["*"])
          --ttl 12h       lifetime: 30d, 12h, 30m, 3600s or d.hh:mm:ss (default 12h)

        Exit codes: 0 printed, 2 a wrong argument or no secret (one line on standard error says which).

        """;

    public static int Run(string[] args, TextWriter output, TextWriter error)
    {
        var merchants = new List<string>();
        var ttl = TimeSpan.FromHours(12);
        var settings = new List<string>();
        for (var i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--help" or "-h" or "-?":
                    output.Write(Help);
                    return 0;
                case "--merchant" when i + 1 < args.Length:
                    merchants.Add(args[++i]);
                    break;
                case "--all":
                    merchants.Add(SubscriberTokens.EveryMerchant);
                    break;
                case "--ttl" when i + 1 < args.Length && TryParseDuration(args[i + 1], out ttl):
                    i++;
                    break;
                case var setting when setting.StartsWith("--Relay:", StringComparison.OrdinalIgnoreCase) && setting.Contains('=', StringComparison.Ordinal):
                    settings.Add(setting);
                    break;
                case var setting when setting.StartsWith("--Relay:", StringComparison.OrdinalIgnoreCase) && i + 1 < args.Length:
                    settings.Add($"{setting}={args[++i]}");
                    break;
                default:
                    error.WriteLine($"token: cannot read '{args[i]}'; see orderrelay token --help");
                    return 2;
            }
        }

        var auth = new ConfigurationBuilder()
            .SetBasePath(AppContext.BaseDirectory)
            .AddJsonFile("appsettings.json", optional: true)
            .AddEnvironmentVariables()
            .AddCommandLine([.. settings])
            .Build()
            .GetSection("Relay:Auth").Get<AuthOptions>() ?? new AuthOptions();
        if (System.Text.Encoding.UTF8.GetByteCount(auth.SubscriberSecret) < 32)
        {
            error.WriteLine("token: Relay:Auth:SubscriberSecret must be configured (at least 32 bytes) to sign tokens.");
            return 2;
        }

        if (merchants.Count == 0 || ttl <= TimeSpan.Zero)
        {
            error.WriteLine($"token: {(merchants.Count == 0 ? "name a --merchant or --all" : "--ttl must be positive")}; see orderrelay token --help");
            return 2;
        }

        output.WriteLine(SubscriberTokens.Mint(auth.SubscriberSecret, merchants, DateTimeOffset.UtcNow + ttl,
            auth.Issuer.Length > 0 ? auth.Issuer : null, auth.Audience.Length > 0 ? auth.Audience : null));
        return 0;
    }

    private static bool TryParseDuration(string text, out TimeSpan duration)
    {
        var unit = text.Length > 1 ? text[^1] : ' ';
        var scale = unit switch { 'd' => 86_400, 'h' => 3_600, 'm' => 60, 's' => 1, _ => 0 };
        if (scale > 0 && double.TryParse(text[..^1], NumberStyles.Float, CultureInfo.InvariantCulture, out var amount))
        {
            duration = TimeSpan.FromSeconds(amount * scale);
            return true;
        }

        return TimeSpan.TryParse(text, CultureInfo.InvariantCulture, out duration);
    }
}
