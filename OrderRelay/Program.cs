using OrderRelay.Hosting;
using OrderRelay.Security;

if (args is [TokenCommand.Name, .. var tokenArgs])
{
    return TokenCommand.Run(tokenArgs, Console.Out, Console.Error);
}

try
{
    await using var app = RelayApplication.Build(args);
    await app.RunAsync();
    return 0;
}
catch (RelayStartupException ex)
{
    await Console.Error.WriteLineAsync($"OrderRelay cannot start: {ex.Message}");
    return 2;
}
catch (IOException ex)
{
    await Console.Error.WriteLineAsync($"OrderRelay cannot start: {ex.Message}");
    return 2;
}
