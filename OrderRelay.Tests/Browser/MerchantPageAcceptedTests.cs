using System.Text.RegularExpressions;
using OrderRelay.Tests.Support;
using static Microsoft.Playwright.Assertions;

namespace OrderRelay.Tests.Browser;

/// <summary>
/// The page with the relay's side of accept (docs/receipts.md: the `accepted` frame and the
/// welcome's `escalation_after_ms`).
/// </summary>
[CancelAfter(60_000)]
[NonParallelizable]
public sealed partial class MerchantPageAcceptedTests : BrowserTests
{
    /// <summary>Two merchants' pages in two browser profiles: the merchant's other page is told, the other merchant's is not.</summary>
    [Test]
    public async Task Accepted_ShownAsTakenOnEveryOpenPageOfThatMerchant()
    {
        await using var relay = await RelayServer.StartAsync();
        await using var counter = await Browser.NewContextAsync(locale: "zh-CN");
        await using var kitchen = await Browser.NewContextAsync();
        var counterPage = await MerchantPage.OpenLiveAsync(counter, relay, "?merchants=m-1001");
        var kitchenPage = await MerchantPage.OpenLiveAsync(kitchen, relay, "?merchants=m-1001");
        await MerchantPage.PublishAsync(relay, 51, currency: "CNY");
        await Expect(kitchenPage.AcceptButton(51)).ToBeVisibleAsync();

        await counterPage.AcceptButton(51).ClickAsync();

        foreach (var page in new[] { counterPage, kitchenPage })
        {
            await Expect(page.Row(51)).ToHaveClassAsync(Accepted());
            await Expect(page.AcceptButton(51)).ToHaveCountAsync(0);
            await Expect(page.Row(51).Locator(".taken")).ToBeVisibleAsync();
        }
        await Expect(counterPage.Row(51).Locator(".taken")).ToContainTextAsync("已接单");
        await Expect(kitchenPage.Row(51).Locator(".taken")).ToContainTextAsync("Accepted");
        await Expect(kitchenPage.Page).ToHaveTitleAsync("Orders · OrderRelay");
        await Expect(counterPage.Notice).ToBeHiddenAsync();
    }

    /// <summary>The relay's escalation time (here 5 min) replaces the page's 2-minute demo default.</summary>
    [Test]
    public async Task EscalationAfterFromTheWelcome_DecidesWhenAnOrderTurnsUrgent()
    {
        await using var relay = await RelayServer.StartAsync(
            "Relay:Escalation:After=00:05:00",
            "Relay:Escalation:WebhookUrl=http://127.0.0.1:9/escalations",
            "Relay:Escalation:Secret=escalation-secret-of-at-least-32-bytes!");
        await using var context = await Browser.NewContextAsync();
        var page = await MerchantPage.OpenLiveAsync(context, relay);
        await MerchantPage.PublishAsync(relay, 61);
        await Expect(page.Row(61)).ToBeVisibleAsync();
        var arrived = DateTime.Parse(await page.Row(61).Locator("time").GetAttributeAsync("datetime") ?? "", null, System.Globalization.DateTimeStyles.RoundtripKind);

        await page.Page.Clock.SetFixedTimeAsync(arrived.AddMinutes(3));
        await page.Row(61).ClickAsync();
        await Expect(page.Row(61)).Not.ToHaveClassAsync(Urgent());

        await page.Page.Clock.SetFixedTimeAsync(arrived.AddMinutes(5).AddSeconds(1));
        await Expect(page.Row(61)).ToHaveClassAsync(Urgent());
    }

    [GeneratedRegex(@"\baccepted\b")]
    private static partial Regex Accepted();

    [GeneratedRegex(@"\burgent\b")]
    private static partial Regex Urgent();
}
