using System.Buffers;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Primitives;

namespace OrderRelay.Connections;

/// <summary>What <see cref="UpgradeRequest.Parse"/> made of the bytes read so far.</summary>
internal enum UpgradeVerdict
{
    /// <summary>Not a head yet: more bytes may still make it one.</summary>
    NeedMore,

    /// <summary>A plain HTTP/1.1 WebSocket upgrade on the relay's path, simple enough to answer off the HTTP pipeline.</summary>
    Upgrade,

    /// <summary>Anything else (another path, another method, a body, an unusual header): Kestrel serves it as any request.</summary>
    PassOn,
}

/// <summary>
/// Recognises the one request head the relay answers itself: <c>GET {Relay:Path} HTTP/1.1</c>
/// with a valid RFC 6455 handshake and a plain <c>Host</c>. Strict on purpose: it takes only
/// a subset of what Kestrel accepts, and whatever it does not recognise (a bare LF, a Host
/// Kestrel might refuse, any unusual header) is left to Kestrel's HTTP parser, so that
/// parser's limits and error answers still apply.
/// </summary>
internal sealed class UpgradeRequest
{
    /// <summary>Heads longer than this are left to Kestrel (which answers 431 past its own 32 KiB).</summary>
    public const int MaxHeadBytes = 8 * 1024;

    private const string AcceptGuid = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
    private static readonly byte[] HeadEnd = "\r\n\r\n"u8.ToArray();
    private static readonly byte[] Get = "GET "u8.ToArray();
    private static readonly SearchValues<char> Digits = SearchValues.Create("0123456789");
    private static readonly SearchValues<char> HexAndSeparators = SearchValues.Create("0123456789abcdefABCDEF:.");
    private static readonly SearchValues<char> Unreserved = SearchValues.Create("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~");

    private UpgradeRequest(string key, string? origin, StringValues forwardedFor, StringValues forwardedProto, int headLength)
    {
        Key = key;
        Origin = origin;
        ForwardedFor = forwardedFor;
        ForwardedProto = forwardedProto;
        HeadLength = headLength;
    }

    /// <summary>The client's Sec-WebSocket-Key.</summary>
    public string Key { get; }

    /// <summary>The Origin header; null when absent.</summary>
    public string? Origin { get; }

    /// <summary>Each X-Forwarded-For line, as sent; believed only from a trusted proxy.</summary>
    public StringValues ForwardedFor { get; }

    /// <summary>Each X-Forwarded-Proto line, as sent.</summary>
    public StringValues ForwardedProto { get; }

    /// <summary>Bytes of the head, its blank line included; what follows is already WebSocket traffic.</summary>
    public int HeadLength { get; }

    /// <summary>The 101 answer to this request, with its Sec-WebSocket-Accept.</summary>
    public byte[] SwitchingProtocolsResponse()
    {
#pragma warning disable CA5350 // RFC 6455 fixes SHA-1 for Sec-WebSocket-Accept; a checksum, not security.
        var accept = Convert.ToBase64String(SHA1.HashData(Encoding.ASCII.GetBytes(Key + AcceptGuid)));
#pragma warning restore CA5350
        return Encoding.ASCII.GetBytes(
            $"HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Accept: {accept}\r\n\r\n");
    }

    public static UpgradeVerdict Parse(ReadOnlySequence<byte> buffer, string path, out UpgradeRequest? request)
    {
        request = null;
        var prefix = buffer.Length >= Get.Length ? buffer.Slice(0, Get.Length) : buffer;
        if (!Get.AsSpan(0, (int)prefix.Length).SequenceEqual(Flatten(prefix)))
        {
            return UpgradeVerdict.PassOn;
        }

        var window = buffer.Length > MaxHeadBytes ? buffer.Slice(0, MaxHeadBytes) : buffer;
        var bytes = Flatten(window);
        var end = bytes.IndexOf(HeadEnd);
        // A line ended by a bare LF is Kestrel's to refuse (400), at once rather than after a wait for a CRLF that never comes.
        if (HasBareLineFeed(end < 0 ? bytes : bytes[..end]))
        {
            return UpgradeVerdict.PassOn;
        }

        if (end < 0)
        {
            return buffer.Length >= MaxHeadBytes ? UpgradeVerdict.PassOn : UpgradeVerdict.NeedMore;
        }

        request = ParseHead(bytes[..(end + 2)], path, end + HeadEnd.Length);
        return request is null ? UpgradeVerdict.PassOn : UpgradeVerdict.Upgrade;
    }

    /// <param name="lines">The head up to the CRLF ending its last header line.</param>
    private static UpgradeRequest? ParseHead(ReadOnlySpan<byte> lines, string path, int headLength)
    {
        var lineEnd = lines.IndexOf("\r\n"u8);
        if (!IsRelayRequestLine(lines[..lineEnd], path))
        {
            return null;
        }

        string? host = null, connection = null, upgrade = null, version = null, key = null, origin = null;
        var forwardedFor = StringValues.Empty;
        var forwardedProto = StringValues.Empty;
        for (var rest = lines[(lineEnd + 2)..]; !rest.IsEmpty; rest = rest[(lineEnd + 2)..])
        {
            lineEnd = rest.IndexOf("\r\n"u8);
            if (!TrySplitHeader(rest[..lineEnd], out var name, out var value))
            {
                return null;
            }

            // Each header the decision rests on must appear once: duplicates go to Kestrel's rules.
            var duplicate = name.ToLowerInvariant() switch
            {
                "host" => Set(ref host, value),
                "x-forwarded-for" => Append(ref forwardedFor, value),
                "x-forwarded-proto" => Append(ref forwardedProto, value),
                "connection" => Set(ref connection, value),
                "upgrade" => Set(ref upgrade, value),
                "sec-websocket-version" => Set(ref version, value),
                "sec-websocket-key" => Set(ref key, value),
                "origin" => Set(ref origin, value),
                // A request body would make the bytes after the head ambiguous.
                "content-length" or "transfer-encoding" => true,
                _ => false,
            };
            if (duplicate)
            {
                return null;
            }
        }

        return IsPlainHost(host) && connection is not null && HasToken(connection, "upgrade") &&
            string.Equals(upgrade, "websocket", StringComparison.OrdinalIgnoreCase) && version == "13" && IsValidKey(key)
            ? new UpgradeRequest(key!, origin, forwardedFor, forwardedProto, headLength)
            : null;
    }

    private static ReadOnlySpan<byte> Flatten(in ReadOnlySequence<byte> bytes) => bytes.IsSingleSegment ? bytes.FirstSpan : bytes.ToArray();

    private static bool IsRelayRequestLine(ReadOnlySpan<byte> line, string path)
    {
        // "GET " was checked; what remains is "{target} HTTP/1.1" with an origin-form target.
        var target = line[Get.Length..];
        if (!target.EndsWith(" HTTP/1.1"u8))
        {
            return false;
        }

        target = target[..^" HTTP/1.1".Length];
        foreach (var b in target)
        {
            // Escapes, fragments and spaces go to Kestrel, which decodes and routes them.
            if (b is <= 0x20 or >= 0x7F or (byte)'%' or (byte)'#')
            {
                return false;
            }
        }

        var query = target.IndexOf((byte)'?');
        var targetPath = query < 0 ? target : target[..query];
        return Encoding.ASCII.GetString(targetPath).Equals(path, StringComparison.OrdinalIgnoreCase);
    }

    private static bool TrySplitHeader(ReadOnlySpan<byte> line, out string name, out string value)
    {
        name = value = "";
        var colon = line.IndexOf((byte)':');
        if (colon <= 0)
        {
            return false;
        }

        foreach (var b in line[..colon])
        {
            if (!IsTokenChar(b))
            {
                return false;
            }
        }

        foreach (var b in line[(colon + 1)..])
        {
            // Visible ASCII, space and tab only: other bytes are Kestrel's to accept or refuse.
            if (b is not ((>= 0x20 and < 0x7F) or (byte)'\t'))
            {
                return false;
            }
        }

        name = Encoding.ASCII.GetString(line[..colon]);
        value = Encoding.ASCII.GetString(line[(colon + 1)..]).Trim(' ', '\t');
        return true;
    }

    private static bool IsTokenChar(byte b) =>
        b is (>= (byte)'a' and <= (byte)'z') or (>= (byte)'A' and <= (byte)'Z') or (>= (byte)'0' and <= (byte)'9') ||
        "!#$%&'*+-.^_`|~"u8.Contains(b);

    private static bool Set(ref string? field, string value)
    {
        var duplicate = field is not null;
        field = value;
        return duplicate;
    }

    /// <summary>Keeps every line of a list header, as Kestrel does; never a duplicate.</summary>
    private static bool Append(ref StringValues values, string value)
    {
        values = StringValues.Concat(values, value);
        return false;
    }

    private static bool HasBareLineFeed(ReadOnlySpan<byte> bytes)
    {
        for (var at = bytes.IndexOf((byte)'\n'); at >= 0; at = bytes.IndexOf((byte)'\n'))
        {
            if (at == 0 || bytes[at - 1] != (byte)'\r')
            {
                return true;
            }

            bytes = bytes[(at + 1)..];
        }

        return false;
    }

    /// <summary>
    /// A host name or IPv4 address of unreserved characters, or a bracketed IPv6 address, with
    /// an optional port: a subset of what Kestrel accepts, so that a Host Kestrel would refuse
    /// (<c>a b</c>, <c>&lt;script&gt;</c>, empty) never gets a 101 here.
    /// </summary>
    private static bool IsPlainHost(string? host)
    {
        if (string.IsNullOrEmpty(host))
        {
            return false;
        }

        var name = host.AsSpan();
        var colon = host.StartsWith('[') ? host.IndexOf("]:", StringComparison.Ordinal) + 1 : host.LastIndexOf(':');
        if (colon > 0)
        {
            var port = name[(colon + 1)..];
            if (port.Length is 0 or > 5 || port.ContainsAnyExcept(Digits))
            {
                return false;
            }

            name = name[..colon];
        }

        return name.StartsWith("[") && name.EndsWith("]")
            ? name.Length > 2 && !name[1..^1].ContainsAnyExcept(HexAndSeparators)
            : !name.IsEmpty && !name.ContainsAnyExcept(Unreserved);
    }

    private static bool HasToken(string list, string token) =>
        list.Split(',').Any(item => item.Trim(' ', '\t').Equals(token, StringComparison.OrdinalIgnoreCase));

    private static bool IsValidKey(string? key)
    {
        Span<byte> decoded = stackalloc byte[16];
        return key is { Length: 24 } && Convert.TryFromBase64String(key, decoded, out var written) && written == 16;
    }
}
