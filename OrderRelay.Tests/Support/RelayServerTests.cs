namespace OrderRelay.Tests.Support;

/// <summary>Tests against a relay of their own: a fresh <see cref="RelayServer"/> for each test, started with the class's settings.</summary>
/// <param name="settings">Configuration as <c>Key=Value</c>, as <see cref="RelayServer.StartAsync"/> takes it.</param>
public abstract class RelayServerTests(params string[] settings)
{
    private protected RelayServer Relay { get; private set; } = null!;

    [SetUp]
    public async Task StartRelay() => Relay = await RelayServer.StartAsync(settings);

    [TearDown]
    public async Task StopRelay()
    {
        // Null when the start itself failed; that failure is the one to read.
        if (Relay is not null)
        {
            await Relay.DisposeAsync();
        }
    }
}
