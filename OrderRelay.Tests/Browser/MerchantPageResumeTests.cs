using OrderRelay.Tests.Support;
using static Microsoft.Playwright.Assertions;

namespace OrderRelay.Tests.Browser;

/// <summary>
/// The merchant page losing its connection, its tab, or its relay, and coming back: nothing
/// it could be given is missed, nothing shows twice. Each test ends with a sentinel order:
/// orders arrive in seq order, so a duplicate replayed at the seam would show before it.
/// </summary>
[CancelAfter(90_000)]
[NonParallelizable]
public sealed class MerchantPageResumeTests : ProfileTests
{
    /// <summary>The relay keeps running (and keeps its history) while the network between it and the page fails.</summary>
    [Test]
    public async Task NetworkDrop_ShowsReconnectingThenTheMissedOrdersOnce()
    {
        await using var relay = await RelayServer.StartAsync();
        await using var network = new TcpProxy(relay.HttpBase);
        var page = await MerchantPage.OpenLiveAsync(Context, relay, $"?relay=ws://127.0.0.1:{network.Port}/");
        await MerchantPage.PublishAsync(relay, 1);
        await Expect(page.Row(1)).ToBeVisibleAsync();

        network.DropAllAndRefuse();
        await page.ExpectStateAsync("reconnecting");
        await Expect(page.State).ToHaveTextAsync(new System.Text.RegularExpressions.Regex(@"^Reconnecting in \d+ s$"));
        await MerchantPage.PublishAsync(relay, 2);
        await MerchantPage.PublishAsync(relay, 3);
        network.Restore();

        await page.ExpectStateAsync("live", timeout: 20_000);
        await Expect(page.Row(3)).ToBeVisibleAsync();
        await MerchantPage.PublishAsync(relay, 4);
        await Expect(page.Rows).ToHaveCountAsync(4, MerchantPage.Patiently);
        Assert.That(await page.ShownOrderIdsAsync(), Is.EqualTo(new[] { "4", "3", "2", "1" }));
        await Expect(page.Notice).ToBeHiddenAsync();
    }

    [Test]
    public async Task Reload_ShowsEarlierOrdersOnceAndReplaysWhatWasPublishedWhileClosed()
    {
        await using var relay = await RelayServer.StartAsync();
        var page = await MerchantPage.OpenLiveAsync(Context, relay);
        await MerchantPage.PublishAsync(relay, 1);
        await MerchantPage.PublishAsync(relay, 2);
        await Expect(page.Rows).ToHaveCountAsync(2);

        await page.Page.ReloadAsync();
        await page.ExpectStateAsync("live");
        await Expect(page.Rows).ToHaveCountAsync(2);

        await page.Page.CloseAsync();
        await MerchantPage.PublishAsync(relay, 3);
        var reopened = await MerchantPage.OpenLiveAsync(Context, relay);
        await Expect(reopened.Row(3)).ToBeVisibleAsync();
        await MerchantPage.PublishAsync(relay, 4);
        await Expect(reopened.Row(4)).ToBeVisibleAsync();

        Assert.That(await reopened.ShownOrderIdsAsync(), Is.EqualTo(new[] { "4", "3", "2", "1" }));
        await Expect(reopened.TodayCount).ToHaveTextAsync("4");
        await Expect(reopened.Notice).ToBeHiddenAsync();
    }

    /// <summary>
    /// With the memory store a restarted relay remembers nothing: it answers the page's
    /// since/epoch with recovered:false, which the page must show, and cannot replay what was
    /// published to the old process. The page keeps what it showed, shows the new orders,
    /// and does not show twice an order a publisher retried against the new process.
    /// </summary>
    [Test]
    public async Task RelayRestartedOnTheSamePort_ShowsRecoveredFalseNoticeAndNoDuplicates()
    {
        var first = await RelayServer.StartAsync();
        var port = first.HttpBase.Port;
        MerchantPage page;
        RelayServer second;
        try
        {
            page = await MerchantPage.OpenLiveAsync(Context, first);
            await MerchantPage.PublishAsync(first, 1);
            await Expect(page.Row(1)).ToBeVisibleAsync();
        }
        finally
        {
            await first.DisposeAsync();
        }

        await page.ExpectStateAsync("reconnecting");
        second = await RelayServer.StartAsync($"Relay:Port={port}");
        await using (second)
        {
            await page.ExpectStateAsync("live", timeout: 20_000);
            await Expect(page.Notice).ToBeVisibleAsync();
            await Expect(page.Notice).ToContainTextAsync("may be missing");

            await MerchantPage.PublishAsync(second, 1);
            await MerchantPage.PublishAsync(second, 2);
            await Expect(page.Row(2)).ToBeVisibleAsync();

            Assert.That(await page.ShownOrderIdsAsync(), Is.EqualTo(new[] { "2", "1" }));
            await page.Page.Locator("#notice-dismiss").ClickAsync();
            await Expect(page.Notice).ToBeHiddenAsync();
        }
    }
}
