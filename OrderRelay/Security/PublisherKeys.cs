using System.Security.Cryptography;
using System.Text;

namespace OrderRelay.Security;

/// <summary>
/// The configured publisher keys, kept only as SHA-256 digests. A presented key is compared
/// with every one of them in constant time, so timing reveals neither a key nor a prefix.
/// </summary>
internal sealed class PublisherKeys(IEnumerable<string> keys)
{
    private readonly byte[][] _digests = [.. keys.Select(Digest)];

    /// <summary>False in open mode for publishers: no key is configured, none is asked for.</summary>
    public bool Required => _digests.Length > 0;

    public bool Accepts(string? presented)
    {
        if (presented is null)
        {
            return false;
        }

        var digest = Digest(presented);
        var accepted = false;
        foreach (var known in _digests)
        {
            accepted |= CryptographicOperations.FixedTimeEquals(known, digest);
        }

        return accepted;
    }

    /// <summary>
    /// Who a publisher is, for receipts: its key's fingerprint, so HTTP and WebSocket publishes with
    /// one key are one publisher; in open mode every publisher is <c>open</c>.
    /// </summary>
    public string IdentityOf(string? presentedKey) => Required && presentedKey is not null ? Fingerprint(presentedKey) : OpenIdentity;

    public const string OpenIdentity = "open";

    /// <summary>A short, non-reversible name for a key, to partition limits by it without holding the key.</summary>
    public static string Fingerprint(string key) => Convert.ToHexString(Digest(key), 0, 8);

    private static byte[] Digest(string key) => SHA256.HashData(Encoding.UTF8.GetBytes(key));
}
