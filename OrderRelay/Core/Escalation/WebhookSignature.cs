using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace OrderRelay.Core.Escalation;

/// <summary>
/// The <c>X-OrderRelay-Signature</c> header: <c>t=&lt;unix seconds&gt;,v1=&lt;hex HMAC-SHA256&gt;</c>, the HMAC
/// taken over <c>"&lt;t&gt;." + body</c> with the configured secret, so a receiver can reject a forged body
/// and, by the timestamp and the body's <c>delivery_id</c>, a replayed one (docs/receipts.md).
/// </summary>
internal static class WebhookSignature
{
    public const string Header = "X-OrderRelay-Signature";
    public const string DeliveryHeader = "X-OrderRelay-Delivery";

    public static string Sign(byte[] secret, DateTimeOffset at, ReadOnlySpan<byte> body)
    {
        var timestamp = at.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        var prefix = Encoding.UTF8.GetBytes(timestamp + ".");
        var signed = new byte[prefix.Length + body.Length];
        prefix.CopyTo(signed, 0);
        body.CopyTo(signed.AsSpan(prefix.Length));
        return $"t={timestamp},v1={Convert.ToHexStringLower(HMACSHA256.HashData(secret, signed))}";
    }
}
