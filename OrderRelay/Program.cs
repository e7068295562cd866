using OrderRelay.Hosting;
using OrderRelay.Security;

var commandLine = CommandLine.Parse(args);
switch (commandLine.Kind)
{
    case CommandKind.Invalid:
        await Console.Error.WriteLineAsync($"{HelpText.ProgramName}: {commandLine.Error}; see {HelpText.ProgramName} --help");
        return 2;
    case CommandKind.Help:
        HelpText.WriteHelp(Console.Out, RelayApplication.ReadConfiguration(commandLine.Arguments));
        return 0;
    case CommandKind.Version:
        HelpText.WriteVersion(Console.Out);
        return 0;
    case CommandKind.Token:
        return TokenCommand.Run(commandLine.Arguments, Console.Out, Console.Error);
}

try
{
    await using var app = RelayApplication.Build(commandLine.Arguments);
    await app.RunAsync();
    return 0;
}
catch (Exception ex) when (StartupFailure.IsExplained(ex))
{
    await Console.Error.WriteLineAsync($"OrderRelay cannot start: {ex.Message}");
    return 2;
}
