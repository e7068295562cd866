using System.Buffers;
using System.Text.Json;

namespace OrderRelay.Demo;

/// <summary>
/// Plausible synthetic orders for a few merchants, as a shop backend would publish them. Each
/// merchant sells in its own currency to its own customers: the two Chinese shops in CNY to
/// customers such as 张三, the third in EUR.
/// </summary>
internal sealed class DemoOrders(string merchantField, Random random)
{
    private static readonly DemoMerchant[] Shops =
    [
        new("m-1001", "CNY", ["张三", "李四", "王芳", "刘洋", "陈静", "赵磊"], 1_800, 38_000),
        new("m-1002", "CNY", ["孙丽", "周杰", "吴敏", "郑伟", "佐藤 花子", "Olivia Brown"], 1_200, 26_000),
        new("m-1003", "EUR", ["Amélie Laurent", "Jonas Berg", "Priya Raman", "Mateo García"], 450, 15_000),
    ];

    public static readonly string[] Merchants = [.. Shops.Select(shop => shop.Id)];

    public static readonly string MerchantList = string.Join(", ", Merchants);

    private long _nextOrderId = 100_000 + random.Next(0, 900_000);

    /// <summary>The currency the demo merchant with this id sells in.</summary>
    public static string CurrencyOf(string merchantId) => Shops.Single(shop => shop.Id == merchantId).Currency;

    /// <summary>The next order: its idempotency key, its merchant, and its JSON bytes.</summary>
    public (string Id, string MerchantId, byte[] Json) Next()
    {
        var orderId = _nextOrderId++;
        var shop = Shops[random.Next(Shops.Length)];
        // Cents as a decimal keep exactly two fraction digits in the JSON ("23.50").
        var amount = decimal.Divide(random.Next(shop.MinCents, shop.MaxCents), 100m);

        var buffer = new ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            writer.WriteStartObject();
            writer.WriteNumber("order_id", orderId);
            writer.WriteString(merchantField, shop.Id);
            writer.WriteString("customer_name", shop.Customers[random.Next(shop.Customers.Length)]);
            writer.WriteNumber("order_amount", amount);
            writer.WriteString("currency", shop.Currency);
            writer.WriteNumber("items", random.Next(1, 5));
            writer.WriteEndObject();
        }

        return ($"demo-{orderId}", shop.Id, buffer.WrittenSpan.ToArray());
    }

    private sealed record DemoMerchant(string Id, string Currency, string[] Customers, int MinCents, int MaxCents);
}
