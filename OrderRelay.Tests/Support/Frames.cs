using System.Text.Json;

namespace OrderRelay.Tests.Support;

internal static class Frames
{
    public static string Type(this JsonElement frame) => frame.GetProperty("type").GetString()!;

    public static long Seq(this JsonElement frame) => frame.GetProperty("seq").GetInt64();

    public static string? Code(this JsonElement frame) => frame.GetProperty("code").GetString();

    public static string Order(string merchantId, int orderId, string amount = "100.00") =>
        $$"""{"order_id":{{orderId}},"merchant_id":"{{merchantId}}","customer_name":"张三","order_amount":{{amount}}}""";
}
