using OrderRelay.Tests.Support;
using static Microsoft.Playwright.Assertions;

namespace OrderRelay.Tests.Browser;

/// <summary>The merchant page in headless chromium against a real relay: what it shows and how it connects.</summary>
[CancelAfter(60_000)]
[NonParallelizable]
public sealed class MerchantPageTests : RelayPageTests
{
    [Test]
    public async Task PublishedOrder_ShownWithinASecondNewestFirstWithTodaysFigures()
    {
        var page = await MerchantPage.OpenLiveAsync(Context, Relay);
        await Expect(page.Page.Locator("#empty")).ToBeVisibleAsync();

        await MerchantPage.PublishAsync(Relay, 123456, "张三", "100.00");
        await Expect(page.Row(123456)).ToBeVisibleAsync(new() { Timeout = 1_000 });
        await MerchantPage.PublishAsync(Relay, 123457, "Amélie Laurent", "42.50", "m-1002");
        await MerchantPage.PublishAsync(Relay, 123458, "佐藤 花子", "1234.5", "m-1003");
        await Expect(page.Rows).ToHaveCountAsync(3);

        Assert.That(await page.ShownOrderIdsAsync(), Is.EqualTo(new[] { "123458", "123457", "123456" }));
        await Expect(page.Rows.First).ToHaveClassAsync(new System.Text.RegularExpressions.Regex(@"\bnewest\b"));
        await Expect(page.Rows.Nth(1)).Not.ToHaveClassAsync(new System.Text.RegularExpressions.Regex(@"\bnewest\b"));
        await Expect(page.Row(123456)).ToContainTextAsync("张三");
        await Expect(page.Row(123456)).ToContainTextAsync("100.00");
        await Expect(page.Row(123458)).ToContainTextAsync("1,234.50");
        await Expect(page.TodayCount).ToHaveTextAsync("3");
        await Expect(page.TodayTotal).ToHaveTextAsync("1,377.00");
        await Expect(page.Page.Locator("#empty")).ToBeHiddenAsync();
        await page.ScreenshotAsync("merchant-page");
        Assert.That(page.Problems.All, Is.Empty, "A person would see these in the console.");
    }

    [Test]
    public async Task Amounts_FormattedInTheBrowsersLocale()
    {
        await using var german = await Browser.NewContextAsync(locale: "de-DE");
        var page = await MerchantPage.OpenLiveAsync(german, Relay);

        await MerchantPage.PublishAsync(Relay, 7, "Jonas Berg", "1234.5");

        await Expect(page.Row(7)).ToContainTextAsync("1.234,50");
        await Expect(page.TodayTotal).ToHaveTextAsync("1.234,50");
    }

    [Test]
    public async Task EachShownOrder_AcknowledgedWithItsSeq()
    {
        var page = await Context.NewPageAsync();
        var acks = new System.Collections.Concurrent.ConcurrentQueue<string>();
        var secondAck = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        page.WebSocket += (_, socket) => socket.FrameSent += (_, frame) =>
        {
            if (frame.Text?.Contains("\"ack\"", StringComparison.Ordinal) == true)
            {
                acks.Enqueue(frame.Text);
                if (acks.Count == 2)
                {
                    secondAck.TrySetResult();
                }
            }
        };
        await page.GotoAsync(new Uri(Relay.HttpBase, "merchant/").ToString());
        await Expect(page.Locator("#connection")).ToHaveAttributeAsync("data-state", "live");

        var first = await MerchantPage.PublishAsync(Relay, 11);
        var second = await MerchantPage.PublishAsync(Relay, 12);
        await secondAck.Task.WaitAsync(TimeSpan.FromSeconds(10));

        Assert.That(acks, Is.EqualTo(new[] { $$"""{"type":"ack","seq":{{first}}}""", $$"""{"type":"ack","seq":{{second}}}""" }));
    }

    [Test]
    public async Task TokenInTheAddress_SentInHelloAndRemovedFromTheAddress()
    {
        var context = Context;
        var page = await context.NewPageAsync();
        var hello = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        page.WebSocket += (_, socket) => socket.FrameSent += (_, frame) => hello.TrySetResult(frame.Text ?? "");

        await page.GotoAsync(new Uri(Relay.HttpBase, "merchant/?token=open-mode-ignores-me&merchants=m-1001").ToString());

        var sent = await hello.Task.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.That(sent, Does.Contain("\"token\":\"open-mode-ignores-me\"").And.Contain("\"merchants\":[\"m-1001\"]"));
        await Expect(page.Locator("#connection")).ToHaveAttributeAsync("data-state", "live");
        Assert.That(page.Url, Does.Not.Contain("token"));
    }

    /// <summary>A hello the relay refuses for its form, not its token: a merchant id over the 256-character limit.</summary>
    [Test]
    public async Task HelloRefusedByTheRelay_ShowsRefusedWithTheRelaysReason()
    {
        var page = await MerchantPage.OpenAsync(Context, Relay, "?merchants=" + new string('m', 300));

        await page.ExpectStateAsync("refused");
        await Expect(page.State).ToContainTextAsync("Refused:");
        await Expect(page.State).ToContainTextAsync("256 characters");
    }

    [Test]
    public async Task BadToken_ShowsRefusedWithAuthFailedReason()
    {
        await using var secured = await RelayServer.StartAsync("Relay:Auth:SubscriberSecret=subscriber-secret-of-at-least-32-bytes!");

        var page = await MerchantPage.OpenAsync(Context, secured, "?token=not-a-valid-token&merchants=m-1001");

        await page.ExpectStateAsync("refused");
        await Expect(page.State).ToContainTextAsync("Refused:");
        await Expect(page.State).ToContainTextAsync("not valid");
    }

    /// <summary>
    /// A module page cannot be opened as a file (browsers refuse module imports from file://):
    /// a shop hosts it on its own web server instead. Served from the repository's root, the
    /// page's relative import finds clients/js/ exactly as it does on the relay.
    /// </summary>
    [Test]
    public async Task ServedByAnotherWebServer_ImportsTheClientModuleAndConnectsToTheRelayGivenInTheAddress()
    {
        await using var site = await StaticSite.StartAsync(RepositoryRoot.Path);
        var page = await Context.NewPageAsync();
        var problems = new PageProblems(page);

        await page.GotoAsync(new Uri(site.BaseAddress, $"samples/merchant/index.html?relay=ws://127.0.0.1:{Relay.HttpBase.Port}/").ToString());
        await Expect(page.Locator("#connection")).ToHaveAttributeAsync("data-state", "live");
        await MerchantPage.PublishAsync(Relay, 31, "李四", "8.00");

        await Expect(page.Locator("#orders > li[data-order-id='31']")).ToContainTextAsync("李四");
        Assert.That(problems.All, Is.Empty);
    }

    [Test]
    public async Task AlertsTurnedOn_NewOrderRaisesADesktopNotificationWithoutErrors()
    {
        await Context.GrantPermissionsAsync(["notifications"]);
        // Chromium's own Notification, recorded on the way through: headless has no desktop to show it on.
        await Context.AddInitScriptAsync("""
            window.shownNotifications = [];
            window.Notification = class extends Notification {
              constructor(title, options) {
                super(title, options);
                window.shownNotifications.push(title + " | " + (options && options.body));
              }
            };
            """);
        var page = await MerchantPage.OpenLiveAsync(Context, Relay);
        var alerts = page.Page.Locator("#alerts");

        await alerts.ClickAsync();
        await Expect(alerts).ToHaveAttributeAsync("aria-pressed", "true");
        await MerchantPage.PublishAsync(Relay, 41, "张三", "12.30");
        await page.Page.WaitForFunctionAsync("() => window.shownNotifications.length > 0", null, new() { Timeout = 10_000 });

        var shown = await page.Page.EvaluateAsync<string[]>("() => window.shownNotifications");
        Assert.That(shown, Is.EqualTo(new[] { "New order #41 | 张三 · 12.30" }));
        Assert.That(page.Problems.All, Is.Empty);
    }

    [Test]
    public async Task PhoneWidth_FitsWithoutSideways()
    {
        await using var phone = await Browser.NewContextAsync(width: 390, height: 844);
        var page = await MerchantPage.OpenLiveAsync(phone, Relay);
        await MerchantPage.PublishAsync(Relay, 88_000_001, "Priya Raman", "19.90");
        await Expect(page.Row(88_000_001)).ToBeVisibleAsync();

        var overflow = await page.Page.EvaluateAsync<int>("document.documentElement.scrollWidth - window.innerWidth");

        Assert.That(overflow, Is.LessThanOrEqualTo(0));
        await page.ScreenshotAsync("merchant-page-phone");
    }
}
