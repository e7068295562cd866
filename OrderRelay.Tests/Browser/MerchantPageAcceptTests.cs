using System.Collections.Concurrent;
using System.Text.RegularExpressions;
using OrderRelay.Tests.Support;
using static Microsoft.Playwright.Assertions;

namespace OrderRelay.Tests.Browser;

/// <summary>
/// No order goes unnoticed: a new order stays marked (row, tab title, tab icon) until a person
/// has seen or accepted it; Accept sends the agreed frame; an order left too long turns urgent.
/// </summary>
[CancelAfter(60_000)]
[NonParallelizable]
public sealed partial class MerchantPageAcceptTests : RelayPageTests
{
    [Test]
    public async Task NewOrders_CountedInTitleAndIconUntilClickedOrFocusedAlsoAfterAReload()
    {
        var page = await MerchantPage.OpenLiveAsync(Context, Relay);
        Assert.That(await page.FaviconAsync(), Is.EqualTo("favicon.svg"));

        await MerchantPage.PublishAsync(Relay, 1);
        await MerchantPage.PublishAsync(Relay, 2);
        await MerchantPage.PublishAsync(Relay, 3);
        await Expect(page.Page).ToHaveTitleAsync("(3) Orders · OrderRelay");
        await Expect(page.Page.Locator("#orders > li.unseen")).ToHaveCountAsync(3);
        Assert.That(Uri.UnescapeDataString(await page.FaviconAsync() ?? ""), Does.StartWith("data:image/svg+xml,").And.Contain(">3</text>"));

        await page.Row(2).ClickAsync();
        await Expect(page.Page).ToHaveTitleAsync("(2) Orders · OrderRelay");
        await Expect(page.Row(2)).Not.ToHaveClassAsync(Unseen());
        await Expect(page.Row(1)).ToHaveClassAsync(Unseen());

        await page.Row(1).FocusAsync();
        await Expect(page.Page).ToHaveTitleAsync("(1) Orders · OrderRelay");

        await page.Page.ReloadAsync();
        await page.ExpectStateAsync("live");
        await Expect(page.Page).ToHaveTitleAsync("(1) Orders · OrderRelay");
        await Expect(page.Row(3)).ToHaveClassAsync(Unseen());
        await page.Row(3).ClickAsync();
        await Expect(page.Page).ToHaveTitleAsync("Orders · OrderRelay");
        Assert.That(await page.FaviconAsync(), Is.EqualTo("favicon.svg"));
        Assert.That(page.Problems.All, Is.Empty);
    }

    [Test]
    public async Task UnseenCount_InTheChineseTitleToo()
    {
        await using var chinese = await Browser.NewContextAsync(locale: "zh-CN");
        var page = await MerchantPage.OpenLiveAsync(chinese, Relay);

        await MerchantPage.PublishAsync(Relay, 8);

        await Expect(page.Page).ToHaveTitleAsync("(1) 订单 · OrderRelay");
    }

    /// <summary>What the page does on its own: the frame the relay gets (what the relay answers is the relay's part).</summary>
    [Test]
    public async Task AcceptButton_SendsAcceptWithTheOrdersSeqAndTheOrderCountsAsSeen()
    {
        var sent = new ConcurrentQueue<string>();
        var acceptSent = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var page = await MerchantPage.OpenAsync(Context, Relay, prepare: page => page.WebSocket += (_, socket) => socket.FrameSent += (_, frame) =>
        {
            sent.Enqueue(frame.Text ?? "");
            if (frame.Text?.Contains("\"accept\"", StringComparison.Ordinal) == true)
            {
                acceptSent.TrySetResult();
            }
        });
        await page.ExpectStateAsync("live");
        await MerchantPage.PublishAsync(Relay, 21);
        var seq = await MerchantPage.PublishAsync(Relay, 22);
        await Expect(page.AcceptButton(22)).ToBeVisibleAsync();

        await page.AcceptButton(22).ClickAsync();
        await acceptSent.Task.WaitAsync(TimeSpan.FromSeconds(10));

        Assert.That(sent.Where(frame => frame.Contains("\"accept\"", StringComparison.Ordinal)), Is.EqualTo(new[] { $$"""{"type":"accept","seq":{{seq}}}""" }));
        await Expect(page.Row(22)).Not.ToHaveClassAsync(Unseen());
        await Expect(page.Page).ToHaveTitleAsync("(1) Orders · OrderRelay");
    }

    /// <summary>
    /// Without escalation_after_ms in the welcome the page uses its demo default, two minutes
    /// after the relay took the order. The page's clock is moved, not waited for.
    /// </summary>
    [Test]
    public async Task OrderNotAcceptedForTwoMinutes_TurnsUrgent()
    {
        var page = await MerchantPage.OpenLiveAsync(Context, Relay);
        await MerchantPage.PublishAsync(Relay, 31);
        await Expect(page.Row(31)).ToBeVisibleAsync();
        var arrived = DateTime.Parse(await page.Row(31).Locator("time").GetAttributeAsync("datetime") ?? "", null, System.Globalization.DateTimeStyles.RoundtripKind);

        await page.Page.Clock.SetFixedTimeAsync(arrived.AddSeconds(100));
        await page.Row(31).ClickAsync();
        await Expect(page.Row(31)).Not.ToHaveClassAsync(Urgent(), new() { Timeout = 3_000 });

        await page.Page.Clock.SetFixedTimeAsync(arrived.AddSeconds(121));
        await Expect(page.Row(31)).ToHaveClassAsync(Urgent());
        await Expect(page.Row(31).Locator(".mark-urgent")).ToBeVisibleAsync();
        await Expect(page.Row(31).Locator(".mark-urgent")).ToHaveTextAsync("Waiting");
    }

    [GeneratedRegex(@"\bunseen\b")]
    private static partial Regex Unseen();

    [GeneratedRegex(@"\burgent\b")]
    private static partial Regex Urgent();
}
