using System.Collections.Concurrent;
using OrderRelay.Tests.Support;
using static Microsoft.Playwright.Assertions;

namespace OrderRelay.Tests.Compat;

/// <summary>Fixtures/seed_page.html, the seed's page as it was, in headless chromium, fed by the seed's PHP backend.</summary>
[CancelAfter(60_000)]
[NonParallelizable]
public sealed class SeedPageTests
{
    private static readonly string PageSource = RepositoryRoot.Combine("OrderRelay.Tests", "Compat", "Fixtures", "seed_page.html");

    [Test]
    public async Task SeedPage_ShowsEachOrderTheSeedBackendSends()
    {
        await using var relay = await RelayServer.StartAsync("Relay:Compat:SeedPath=/seed", "Relay:HandshakeTimeout=00:00:01");
        await using var chromium = await Chromium.LaunchAsync();
        await using var context = await chromium.NewContextAsync(locale: "zh-CN");
        using var folder = new TempDirectory();
        // The only change an operator makes to the seed's page: the address it connects to.
        var pagePath = Path.Combine(folder.Path, "index.html");
        await File.WriteAllTextAsync(pagePath, (await File.ReadAllTextAsync(PageSource))
            .Replace("ws://localhost:8080/", SeedCompatibilityTests.SeedUri(relay).ToString(), StringComparison.Ordinal));
        var page = await context.NewPageAsync();
        var problems = new PageProblems(page);
        var received = new ConcurrentQueue<string>();
        var connected = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        page.Console += (_, message) =>
        {
            if (message.Text == "Connection established!")
            {
                connected.TrySetResult();
            }
        };
        page.WebSocket += (_, socket) => socket.FrameReceived += (_, frame) => received.Enqueue(frame.Text ?? "");

        await page.GotoAsync(new Uri(pagePath).ToString());
        await connected.Task.WaitAsync(TimeSpan.FromSeconds(20));
        await SeedCompatibilityTests.WaitUntilLiveAsync(relay, subscribers: 1);
        const string first = """{"order_id":123456,"merchant_id":"m-1001","customer_name":"张三","order_amount":100.00}""";
        const string second = """{"order_id":123457,"merchant_id":"m-1002","customer_name":"李四","order_amount":35.5}""";
        await SeedBackend.PushAsync(SeedCompatibilityTests.SeedUri(relay), first, second);

        await Expect(page.Locator("#orders li")).ToHaveCountAsync(2);
        await Expect(page.Locator("li[data-order-id='123456']")).ToHaveTextAsync("张三 ¥100");
        await Expect(page.Locator("li[data-order-id='123457']")).ToHaveTextAsync("李四 ¥35.5");
        Assert.That(received, Is.EqualTo(new[] { first, second }), "the page received the orders themselves, byte for byte");
        Assert.That(problems.All, Is.Empty);
    }
}
