using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace OrderRelay.Tests.Support;

/// <summary>
/// The C# verification recipe of docs/receipts.md, word for word, so the tests prove what the
/// documentation tells receivers to run.
/// </summary>
internal sealed class WebhookVerifier(string secret, TimeSpan tolerance)
{
    private readonly byte[] _key = Encoding.UTF8.GetBytes(secret);
    private readonly HashSet<string> _seenDeliveries = [];

    /// <summary>True when the body is signed with the secret, recent, and its delivery id not seen before.</summary>
    public bool Accept(string? signatureHeader, string? deliveryId, byte[] body, DateTimeOffset now)
    {
        if (signatureHeader is null || deliveryId is null)
        {
            return false;
        }

        string? timestamp = null;
        string? signature = null;
        foreach (var part in signatureHeader.Split(','))
        {
            var pair = part.Split('=', 2);
            if (pair is ["t", var t])
            {
                timestamp = t;
            }
            else if (pair is ["v1", var v1])
            {
                signature = v1;
            }
        }

        if (timestamp is null || signature is null || !long.TryParse(timestamp, NumberStyles.None, CultureInfo.InvariantCulture, out var unixSeconds))
        {
            return false;
        }

        // Too old or from the future: a replay of a captured call, or a clock far off.
        if ((now - DateTimeOffset.FromUnixTimeSeconds(unixSeconds)).Duration() > tolerance)
        {
            return false;
        }

        var signed = Encoding.UTF8.GetBytes(timestamp + ".").Concat(body).ToArray();
        var expected = Convert.ToHexStringLower(HMACSHA256.HashData(_key, signed));
        if (!CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(expected), Encoding.ASCII.GetBytes(signature)))
        {
            return false;
        }

        // A second delivery of one escalation (a retry, or a replay within the tolerance) is answered 200 and not acted on again;
        // keep the ids at least as long as the tolerance.
        return _seenDeliveries.Add(deliveryId);
    }
}
