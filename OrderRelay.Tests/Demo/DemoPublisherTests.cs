using System.Text.Json;
using OrderRelay.Demo;
using OrderRelay.Tests.Support;

namespace OrderRelay.Tests.Demo;

[CancelAfter(30_000)]
public sealed class DemoPublisherTests
{
    [Test]
    public async Task DemoOn_SubscriberReceivesSyntheticOrdersForTheDemoMerchants()
    {
        await using var relay = await RelayServer.StartAsync("Relay:Demo=true");
        await using var subscriber = await relay.ConnectSubscriberAsync();

        var first = await subscriber.ReceiveOfTypeAsync("order");
        var second = await subscriber.ReceiveOfTypeAsync("order");

        var order = first.GetProperty("order");
        Assert.Multiple(() =>
        {
            Assert.That(DemoOrders.Merchants, Does.Contain(first.GetProperty("merchant_id").GetString()));
            Assert.That(order.GetProperty("customer_name").GetString(), Is.Not.Empty);
            Assert.That(order.GetProperty("order_amount").GetDecimal(), Is.InRange(4.50m, 380m));
            Assert.That(order.GetProperty("currency").GetString(), Is.EqualTo(DemoOrders.CurrencyOf(first.GetProperty("merchant_id").GetString()!)));
            Assert.That(second.Seq(), Is.GreaterThan(first.Seq()));
            Assert.That(second.GetProperty("order").GetProperty("order_id").GetInt64(), Is.EqualTo(order.GetProperty("order_id").GetInt64() + 1));
        });
    }

    [Test]
    public async Task DemoOff_ByDefault_NothingIsPublished()
    {
        await using var relay = await RelayServer.StartAsync();
        await using var subscriber = await relay.ConnectSubscriberAsync();
        await using var publisher = await relay.ConnectPublisherAsync();

        // Our own publish is seq 1 only if no demo order took a number first.
        var ack = await publisher.PublishAsync(Frames.Order("m-1", 1));

        Assert.That(ack.Seq(), Is.EqualTo(1));
        Assert.That((await subscriber.ReceiveOfTypeAsync("order")).Seq(), Is.EqualTo(1));
    }

    [Test]
    public void DemoOrders_AmountsKeepTwoDecimalsAndNameTheConfiguredMerchantField()
    {
        var orders = new DemoOrders("shop", new Random(7));

        var (id, merchantId, json) = orders.Next();

        using var document = JsonDocument.Parse(json);
        Assert.That(document.RootElement.GetProperty("shop").GetString(), Is.EqualTo(merchantId));
        Assert.That(id, Is.EqualTo($"demo-{document.RootElement.GetProperty("order_id").GetInt64()}"));
        Assert.That(System.Text.Encoding.UTF8.GetString(json), Does.Match("\"order_amount\":[0-9]+\\.[0-9]{2},"));
    }

    /// <summary>The seed's merchants are Chinese shops: their customers (张三, ...) pay in yuan, never in euros.</summary>
    [Test]
    public void DemoOrders_ChineseNamedCustomersPayInCny()
    {
        var orders = new DemoOrders("merchant_id", new Random(11));

        var chinese = Enumerable.Range(0, 200)
            .Select(_ => JsonDocument.Parse(orders.Next().Json).RootElement)
            .Where(order => order.GetProperty("customer_name").GetString()!.Any(c => c is >= '\u4e00' and <= '\u9fff'))
            .ToList();

        Assert.That(chinese, Is.Not.Empty);
        Assert.That(chinese.Select(order => order.GetProperty("currency").GetString()).Distinct(), Is.EqualTo(new[] { "CNY" }));
        Assert.That(System.Text.Encoding.UTF8.GetString(orders.Next().Json), Does.Not.Contain("\\u"), "names as UTF-8, as a shop backend sends them");
    }

    [TestCase("--demo", ExpectedResult = "--Relay:Demo=true")]
    [TestCase("--Relay:Port=9001 --DEMO", ExpectedResult = "--Relay:Port=9001 --Relay:Demo=true")]
    [TestCase("--Relay:Port=9001", ExpectedResult = "--Relay:Port=9001")]
    public string DemoSwitch_ExpandsToTheSetting(string commandLine) => string.Join(' ', DemoMode.ExpandSwitch(commandLine.Split(' ')));
}
