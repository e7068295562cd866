using Microsoft.Playwright;

namespace OrderRelay.Tests.Support;

/// <summary>Browser test fixtures: one headless Chromium for the fixture, launched once and closed at its end.</summary>
public abstract class BrowserTests
{
    private protected Chromium Browser { get; private set; } = null!;

    [OneTimeSetUp]
    public async Task LaunchBrowser() => Browser = await Chromium.LaunchAsync();

    [OneTimeTearDown]
    public async Task CloseBrowser() => await Browser.DisposeAsync();
}

/// <summary>A fresh browser profile (cookies, storage, permissions) for each test.</summary>
public abstract class ProfileTests : BrowserTests
{
    private protected IBrowserContext Context { get; private set; } = null!;

    [SetUp]
    public async Task NewProfile() => Context = await NewContextAsync();

    [TearDown]
    public async Task CloseProfile() => await Context.DisposeAsync();

    private protected virtual Task<IBrowserContext> NewContextAsync() => Browser.NewContextAsync();
}

/// <summary>Browser tests against a relay of their own: a fresh relay, as well as a fresh profile, for each test.</summary>
public abstract class RelayPageTests : ProfileTests
{
    private protected RelayServer Relay { get; private set; } = null!;

    [SetUp]
    public async Task StartRelay() => Relay = await StartRelayAsync();

    [TearDown]
    public async Task StopRelay() => await Relay.DisposeAsync();

    private protected virtual Task<RelayServer> StartRelayAsync() => RelayServer.StartAsync();
}
