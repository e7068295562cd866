using System.Buffers;
using System.Text.Json;

namespace OrderRelay.Demo;

/// <summary>Plausible synthetic orders for a few merchants, as a shop backend would publish them.</summary>
internal sealed class DemoOrders(string merchantField, Random random)
{
    public static readonly string[] Merchants = ["m-1001", "m-1002", "m-1003"];

    public static readonly string MerchantList = string.Join(", ", Merchants);

    private static readonly string[] Customers =
        ["张三", "李四", "Amélie Laurent", "Jonas Berg", "Priya Raman", "Mateo García", "佐藤 花子", "Olivia Brown"];

    private long _nextOrderId = 100_000 + random.Next(0, 900_000);

    /// <summary>The next order: its idempotency key, its merchant, and its JSON bytes.</summary>
    public (string Id, string MerchantId, byte[] Json) Next()
    {
        var orderId = _nextOrderId++;
        var merchantId = Merchants[random.Next(Merchants.Length)];
        // Cents as a decimal keep exactly two fraction digits in the JSON ("23.50").
        var amount = decimal.Divide(random.Next(450, 15_000), 100m);

        var buffer = new ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteNumber("order_id", orderId);
            writer.WriteString(merchantField, merchantId);
            writer.WriteString("customer_name", Customers[random.Next(Customers.Length)]);
            writer.WriteNumber("order_amount", amount);
            writer.WriteString("currency", "EUR");
            writer.WriteNumber("items", random.Next(1, 5));
            writer.WriteEndObject();
        }

        return ($"demo-{orderId}", merchantId, buffer.WrittenSpan.ToArray());
    }
}
