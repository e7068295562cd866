using System.Text.RegularExpressions;
using Serilog.Core;
using Serilog.Events;

namespace OrderRelay.Compat;

/// <summary>
/// Blanks <c>key=</c> and <c>token=</c> query parameters in every logged string, whatever the log
/// level or source: the seed's backend can carry its publisher key only in the address, and
/// ASP.NET Core's request logs (<c>Request starting … {QueryString}</c>) would otherwise print it.
/// </summary>
internal sealed partial class QuerySecretRedactor : ILogEventEnricher
{
    public void Enrich(LogEvent logEvent, ILogEventPropertyFactory propertyFactory)
    {
        List<LogEventProperty>? redacted = null;
        foreach (var (name, value) in logEvent.Properties)
        {
            if (value is ScalarValue { Value: string text } && (text.Contains("key=", StringComparison.OrdinalIgnoreCase) ||
                    text.Contains("token=", StringComparison.OrdinalIgnoreCase)))
            {
                (redacted ??= []).Add(new LogEventProperty(name, new ScalarValue(Redact(text))));
            }
        }

        foreach (var property in redacted ?? [])
        {
            logEvent.AddOrUpdateProperty(property);
        }
    }

    public static string Redact(string text) => SecretParameter().Replace(text, "$1=(redacted)");

    [GeneratedRegex(@"(?<=[?&]|^)(key|token)=[^&\s""']*", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex SecretParameter();
}
