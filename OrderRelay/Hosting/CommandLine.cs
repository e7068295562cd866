using OrderRelay.Demo;
using OrderRelay.Security;

namespace OrderRelay.Hosting;

/// <summary>
/// Reads the command line before anything starts. Settings keep the .NET command-line
/// configuration forms (<c>--Relay:Port=9001</c>, <c>--Relay:Port 9001</c>, <c>/Relay:Port 9001</c>,
/// <c>Relay:Port=9001</c>), but only for the sections the relay reads: anything else is
/// refused by name instead of being silently ignored (the configuration provider ignores a
/// lone <c>--help</c>, which would otherwise start the server).
/// </summary>
/// <param name="Arguments">For <see cref="CommandKind.Run"/> the settings, for <see cref="CommandKind.Token"/> the command's own arguments.</param>
/// <param name="Error">For <see cref="CommandKind.Invalid"/>: what is wrong, naming the argument.</param>
internal sealed record CommandLine(CommandKind Kind, string[] Arguments, string Error = "")
{
    /// <summary>Top-level configuration keys a setting may start with: the relay, its logging, Kestrel's limits, and the host's environment name.</summary>
    private static readonly string[] Sections = ["Relay", "Serilog", "Kestrel", "Logging", "environment"];

    private static readonly string[] HelpSwitches = ["--help", "-h", "-?"];

    public static CommandLine Parse(string[] args)
    {
        if (args is [var first, .. var rest] && IsWord(first))
        {
            return first switch
            {
                TokenCommand.Name => new CommandLine(CommandKind.Token, rest),
                "help" => new CommandLine(CommandKind.Help, rest),
                _ => Invalid($"unknown command '{first}' (the only command is '{TokenCommand.Name}')"),
            };
        }

        for (var i = 0; i < args.Length; i++)
        {
            var arg = args[i];
            if (IsAnyOf(arg, HelpSwitches))
            {
                // The settings given with it, so that the help shows where they put the journal.
                return new CommandLine(CommandKind.Help, [.. args.Where(other => !IsAnyOf(other, HelpSwitches))]);
            }

            if (IsAnyOf(arg, "--version"))
            {
                return new CommandLine(CommandKind.Version, []);
            }

            if (IsAnyOf(arg, DemoMode.Switch))
            {
                continue;
            }

            if (IsWord(arg))
            {
                return Invalid($"unexpected argument '{arg}' (settings are written --Section:Name=value)");
            }

            var (key, hasValue) = ReadSetting(arg);
            if (key is null)
            {
                return Invalid($"unknown option '{arg}'");
            }

            if (!Sections.Any(section => key.Equals(section, StringComparison.OrdinalIgnoreCase)
                || key.StartsWith(section + ":", StringComparison.OrdinalIgnoreCase)))
            {
                return Invalid(hasValue
                    ? $"unknown setting '{key}' in '{arg}' (settings are --Relay:…, --Serilog:…, --Kestrel:…, --Logging:… or --environment)"
                    : $"unknown option '{arg}'");
            }

            if (!hasValue && ++i == args.Length)
            {
                return Invalid($"setting '{arg}' has no value (write {arg}=value)");
            }
        }

        return new CommandLine(CommandKind.Run, args);
    }

    private static CommandLine Invalid(string error) => new(CommandKind.Invalid, [], error);

    /// <summary>A bare word: no prefix the configuration provider reads, and no <c>=</c>.</summary>
    private static bool IsWord(string arg) => !arg.StartsWith('-') && !arg.StartsWith('/') && !arg.Contains('=', StringComparison.Ordinal);

    private static bool IsAnyOf(string arg, params string[] names) => names.Any(name => arg.Equals(name, StringComparison.OrdinalIgnoreCase));

    /// <summary>The key of a setting as the command-line configuration provider reads it, or null when it would not read one.</summary>
    private static (string? Key, bool HasValue) ReadSetting(string arg)
    {
        var prefix = arg.StartsWith("--", StringComparison.Ordinal) ? 2 : arg.StartsWith('/') ? 1 : arg.StartsWith('-') ? -1 : 0;
        var separator = arg.IndexOf('=', StringComparison.Ordinal);
        if (prefix < 0 || (prefix == 0 && separator < 0))
        {
            // A single dash needs switch mappings the relay does not define; a bare word was handled above.
            return (null, false);
        }

        var key = separator < 0 ? arg[prefix..] : arg[prefix..separator];
        return key.Length == 0 ? (null, false) : (key, separator >= 0);
    }
}
