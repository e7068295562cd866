using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.Playwright;
using OrderRelay.Tests.Support;
using static Microsoft.Playwright.Assertions;

namespace OrderRelay.Tests.Browser;

/// <summary>The merchant sample page in a real browser tab, seen the way a person sees it.</summary>
internal sealed class MerchantPage
{
    /// <summary>Long enough for a reconnection after a few back-off steps (1, 2, 4 s with jitter) on a busy machine.</summary>
    public static readonly LocatorAssertionsToHaveCountOptions Patiently = new() { Timeout = 20_000 };

    private MerchantPage(IPage page)
    {
        Page = page;
        Problems = new PageProblems(page);
    }

    public IPage Page { get; }

    public PageProblems Problems { get; }

    public ILocator State => Page.Locator("#connection");

    public ILocator Rows => Page.Locator("#orders > li");

    public ILocator Notice => Page.Locator("#notice");

    public ILocator TodayCount => Page.Locator("#today-count");

    public ILocator TodayTotal => Page.Locator("#today-total");

    public ILocator Row(long orderId) => Page.Locator($"#orders > li[data-order-id='{orderId}']");

    public ILocator AcceptButton(long orderId) => Row(orderId).Locator("button.accept");

    /// <summary>The tab's icon as the page set it last (a data: URL while orders are unseen).</summary>
    public Task<string?> FaviconAsync() => Page.Locator("link[rel~='icon']").GetAttributeAsync("href");

    /// <summary>Each row's rendered height in CSS pixels, top first.</summary>
    public async Task<double[]> RowHeightsAsync() =>
        await Rows.EvaluateAllAsync<double[]>("rows => rows.map(row => row.getBoundingClientRect().height)");

    /// <summary>Opens <c>/merchant/</c> as served by <paramref name="relay"/> and waits until it says it is live.</summary>
    public static async Task<MerchantPage> OpenLiveAsync(IBrowserContext context, RelayServer relay, string query = "")
    {
        var page = await OpenAsync(context, relay, query);
        await page.ExpectStateAsync("live");
        return page;
    }

    /// <param name="prepare">Runs before the page loads, e.g. to watch its WebSocket from the start.</param>
    public static async Task<MerchantPage> OpenAsync(IBrowserContext context, RelayServer relay, string query = "", Action<IPage>? prepare = null)
    {
        var page = new MerchantPage(await context.NewPageAsync());
        prepare?.Invoke(page.Page);
        await page.Page.GotoAsync(new Uri(relay.HttpBase, "merchant/" + query).ToString());
        return page;
    }

    public async Task ExpectStateAsync(string state, float timeout = 10_000) =>
        await Expect(State).ToHaveAttributeAsync("data-state", state, new() { Timeout = timeout });

    /// <summary>Every shown order id, top (newest) first.</summary>
    public async Task<IReadOnlyList<string>> ShownOrderIdsAsync() =>
        [.. (await Rows.EvaluateAllAsync<string[]>("rows => rows.map(row => row.dataset.orderId)"))];

    public async Task<string> ScreenshotAsync(string name)
    {
        var path = Path.Combine(TestContext.CurrentContext.WorkDirectory, $"{name}.png");
        await Page.ScreenshotAsync(new PageScreenshotOptions { Path = path, FullPage = true, Animations = ScreenshotAnimations.Disabled });
        TestContext.AddTestAttachment(path, name);
        return path;
    }

    /// <summary>Publishes one order over <c>POST /publish</c>, as a shop backend would, and returns its seq.</summary>
    public static async Task<long> PublishAsync(RelayServer relay, long orderId, string customer = "张三", string amount = "100.00", string merchantId = "m-1001", string? currency = null)
    {
        var currencyField = currency is null ? "" : ",\"currency\":" + JsonSerializer.Serialize(currency);
        var body = $$"""{"order_id":{{orderId}},"merchant_id":"{{merchantId}}","customer_name":{{JsonSerializer.Serialize(customer)}},"order_amount":{{amount}}{{currencyField}}}""";
        using var request = new HttpRequestMessage(HttpMethod.Post, "/publish")
        {
            Content = new StringContent(body, Encoding.UTF8, "application/json"),
        };
        request.Headers.Add("Idempotency-Key", $"ord-{orderId}");
        using var response = await relay.Http.SendAsync(request);
        response.EnsureSuccessStatusCode();
        var answer = await response.Content.ReadFromJsonAsync<JsonElement>();
        return answer.GetProperty("seq").GetInt64();
    }
}
