using OrderRelay.Hosting;

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
