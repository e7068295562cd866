using System.Collections.Concurrent;
using Microsoft.Playwright;
using OrderRelay.Tests.Browser;
using OrderRelay.Tests.Support;
using static Microsoft.Playwright.Assertions;

namespace OrderRelay.Tests.Status;

/// <summary>The status page in headless chromium against a real relay with a publisher key.</summary>
[CancelAfter(90_000)]
[NonParallelizable]
public sealed class StatusPageTests : RelayPageTests
{
    private const string Key = "pk-status-page-0123456789";

    /// <summary>The page polls every two seconds; a busy machine may take a few polls.</summary>
    private static readonly LocatorAssertionsToHaveTextOptions Patiently = new() { Timeout = 15_000 };


    private protected override async Task<RelayServer> StartRelayAsync()
    {
        var relay = await RelayServer.StartAsync($"Relay:Auth:PublisherKeys:0={Key}");
        relay.Http.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", Key);
        return relay;
    }

    private protected override Task<IBrowserContext> NewContextAsync() => Browser.NewContextAsync(height: 900);

    [Test]
    public async Task WithoutKey_AsksForItAndShowsNoFigures_WrongKeyRefused()
    {
        var page = await Context.NewPageAsync();

        await page.GotoAsync(new Uri(Relay.HttpBase, "status/").ToString());

        await Expect(page.Locator("#state")).ToHaveAttributeAsync("data-state", "needs-key");
        await Expect(page.Locator("#key-form")).ToBeVisibleAsync();
        await Expect(page.Locator("#figures")).ToBeHiddenAsync();
        await page.Locator("#key").FillAsync("pk-wrong-0123456789abcdef");
        await page.Locator("#key-form button").ClickAsync();
        await Expect(page.Locator("#state")).ToHaveAttributeAsync("data-state", "refused");
        await Expect(page.Locator("#figures")).ToBeHiddenAsync();
    }

    [Test]
    public async Task WithKey_ShowsTheFiguresAndTheyMoveAsOrdersArePublished()
    {
        var page = await Context.NewPageAsync();
        var problems = new PageProblems(page);
        var dataRequests = new ConcurrentQueue<(string Url, string? Authorization)>();
        page.Request += (_, request) =>
        {
            if (request.Url.Contains("/status/data", StringComparison.Ordinal))
            {
                dataRequests.Enqueue((request.Url, request.Headers.GetValueOrDefault("authorization")));
            }
        };
        await using var everything = await Relay.ConnectSubscriberAsync();
        await using var shop = await Relay.ConnectSubscriberAsync("""{"type":"hello","role":"subscriber","merchants":["m-1001","m-1002"]}""");

        await page.GotoAsync(new Uri(Relay.HttpBase, "status/").ToString());
        await page.Locator("#key").FillAsync(Key);
        await page.Locator("#key-form button").ClickAsync();

        await Expect(page.Locator("#state")).ToHaveAttributeAsync("data-state", "live");
        await Expect(page.Locator("#subscribers")).ToHaveTextAsync("2");
        await Expect(page.Locator("#merchants-online")).ToHaveTextAsync("2");
        await Expect(page.Locator("#orders-accepted")).ToHaveTextAsync("0");

        // Bursts a few seconds apart, so the chart has a shape; each waits until the page shows it.
        var published = 0;
        foreach (var burst in new[] { 3, 7, 4, 9 })
        {
            for (var i = 0; i < burst; i++)
            {
                published++;
                await MerchantPage.PublishAsync(Relay, published, merchantId: published % 3 == 0 ? "m-1002" : published % 3 == 1 ? "m-1001" : "m-2077");
            }

            await Expect(page.Locator("#orders-accepted")).ToHaveTextAsync(published.ToString(System.Globalization.CultureInfo.InvariantCulture), Patiently);
        }

        await Expect(page.Locator("#deliveries")).Not.ToHaveTextAsync("0", Patiently);
        await Expect(page.Locator("#latency-p99")).Not.ToHaveTextAsync("–", Patiently);
        await Expect(page.Locator("#waiting tr[data-merchant-id='m-2077']")).ToBeVisibleAsync();
        var points = await page.Locator("#orders-line").GetAttributeAsync("points");
        Assert.That(points!.Split(' ').Count(point => !point.EndsWith(",210.0", StringComparison.Ordinal)), Is.GreaterThan(0),
            "the orders line rises above zero somewhere");
        var screenshot = Path.Combine(TestContext.CurrentContext.WorkDirectory, "status-page.png");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = screenshot, FullPage = true });
        TestContext.AddTestAttachment(screenshot, "status-page");

        Assert.That(dataRequests, Is.Not.Empty);
        Assert.That(dataRequests.Select(request => request.Url), Has.All.Not.Contain(Key), "the key never goes in an address");
        Assert.That(dataRequests.Last().Authorization, Is.EqualTo("Bearer " + Key));
        Assert.That(problems.All, Has.All.Contains("401"), "nothing but the refused first poll (no key yet) shows in the console");
    }
}
