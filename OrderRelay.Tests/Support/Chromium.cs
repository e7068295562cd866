using Microsoft.Playwright;

namespace OrderRelay.Tests.Support;

/// <summary>
/// Debian's chromium driven by Playwright, headless. The browser is the system package that
/// .ci/run installs; Playwright's own browser download is never used.
/// </summary>
internal sealed class Chromium : IAsyncDisposable
{
    public const string ExecutablePath = "/usr/bin/chromium";

    private readonly IPlaywright _playwright;

    private Chromium(IPlaywright playwright, IBrowser browser)
    {
        _playwright = playwright;
        Browser = browser;
    }

    public IBrowser Browser { get; }

    public static async Task<Chromium> LaunchAsync()
    {
        if (!File.Exists(ExecutablePath))
        {
            Assert.Fail($"{ExecutablePath} is missing: install Debian's chromium (apt-get install chromium fonts-noto-cjk), as .ci/run does.");
        }

        var playwright = await Playwright.CreateAsync();
        var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ExecutablePath,
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
            Timeout = 30_000,
        });
        return new Chromium(playwright, browser);
    }

    /// <summary>A fresh profile (empty localStorage) with a fixed locale and time zone, so formatting is predictable.</summary>
    public Task<IBrowserContext> NewContextAsync(string locale = "en-US", int width = 1100, int height = 760) =>
        Browser.NewContextAsync(new BrowserNewContextOptions
        {
            Locale = locale,
            TimezoneId = "UTC",
            ViewportSize = new ViewportSize { Width = width, Height = height },
        });

    public async ValueTask DisposeAsync()
    {
        await Browser.DisposeAsync();
        _playwright.Dispose();
    }
}
