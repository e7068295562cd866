using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using OrderRelay.Configuration;

namespace OrderRelay.Security;

/// <summary>
/// Validates subscriber tokens: HS256 JWTs signed with the configured secret, carrying
/// <c>merchants</c> and a required <c>exp</c> (and <c>iss</c>/<c>aud</c> when configured).
/// The library does the JWT work; only HS256 is accepted, so <c>alg: none</c> never passes.
/// A claim of the wrong JSON type is refused rather than read leniently: <c>"merchants":"*"</c>
/// as a string would otherwise grant every merchant, and an object would become a merchant id.
/// </summary>
internal sealed class SubscriberTokens
{
    public const string MerchantsClaim = "merchants";
    public const string EveryMerchant = "*";

    private readonly JsonWebTokenHandler _handler = new();
    private readonly TokenValidationParameters? _parameters;

    public SubscriberTokens(AuthOptions auth)
    {
        if (auth.SubscriberSecret.Length == 0)
        {
            return;
        }

        _parameters = new TokenValidationParameters
        {
            IssuerSigningKey = SigningKey(auth.SubscriberSecret),
            ValidAlgorithms = [SecurityAlgorithms.HmacSha256],
            RequireSignedTokens = true,
            RequireExpirationTime = true,
            ValidateLifetime = true,
            // Tokens are minted by the shop's own backend on synchronised clocks; an expired
            // token must stop working when it says so.
            ClockSkew = TimeSpan.Zero,
            ValidateIssuer = auth.Issuer.Length > 0,
            ValidIssuer = auth.Issuer,
            ValidateAudience = auth.Audience.Length > 0,
            ValidAudience = auth.Audience,
            ValidateIssuerSigningKey = true,
        };
    }

    /// <summary>False when no secret is configured: subscribers need no token.</summary>
    public bool Required => _parameters is not null;

    public static SymmetricSecurityKey SigningKey(string secret) => new(Encoding.UTF8.GetBytes(secret));

    /// <summary>The grant in a valid token, or the reason it is refused (safe to show the client: it names no secret).</summary>
    public async Task<(SubscriberGrant? Grant, string? Refusal)> ValidateAsync(string? token)
    {
        if (_parameters is null)
        {
            return (SubscriberGrant.Everything, null);
        }

        if (string.IsNullOrEmpty(token))
        {
            return (null, "A subscriber token is required.");
        }

        var result = await _handler.ValidateTokenAsync(token, _parameters).ConfigureAwait(false);
        if (!result.IsValid || result.SecurityToken is not JsonWebToken jwt)
        {
            return (null, result.Exception is SecurityTokenExpiredException ? "The token has expired." : "The token is not valid.");
        }

        var (merchants, refusal) = ReadClaims(jwt);
        if (merchants is null)
        {
            return (null, refusal);
        }

        var tokenId = jwt.Id is { Length: > 0 } id ? id : Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(token)), 0, 16);
        var grant = new SubscriberGrant(merchants.Contains(EveryMerchant) ? null : merchants, new DateTimeOffset(jwt.ValidTo, TimeSpan.Zero), tokenId);
        return (grant, null);
    }

    /// <summary>
    /// The granted merchants, read from the signed payload with the JSON types the protocol
    /// gives them: <c>merchants</c> a non-empty array of non-empty strings, <c>exp</c> a number.
    /// </summary>
    private static (HashSet<string>? Merchants, string? Refusal) ReadClaims(JsonWebToken jwt)
    {
        using var payload = JsonDocument.Parse(Base64UrlEncoder.DecodeBytes(jwt.EncodedPayload));
        var claims = payload.RootElement;
        if (!claims.TryGetProperty(JwtRegisteredClaimNames.Exp, out var expires) || expires.ValueKind != JsonValueKind.Number)
        {
            return (null, "The token's \"exp\" claim must be a number (seconds since 1970-01-01 UTC).");
        }

        if (!claims.TryGetProperty(MerchantsClaim, out var granted) || granted.ValueKind != JsonValueKind.Array)
        {
            return (null, "The token's \"merchants\" claim must be an array of merchant ids (strings; [\"*\"] for every merchant).");
        }

        var merchants = new HashSet<string>(StringComparer.Ordinal);
        foreach (var merchant in granted.EnumerateArray())
        {
            if (merchant.ValueKind != JsonValueKind.String || merchant.GetString() is not { Length: > 0 } merchantId)
            {
                return (null, "The token's \"merchants\" claim must hold only non-empty strings.");
            }

            merchants.Add(merchantId);
        }

        return merchants.Count > 0 ? (merchants, null) : (null, "The token grants no merchants (claim \"merchants\" is empty).");
    }

    /// <summary>Mints a token, for the <c>token</c> command and for tests.</summary>
    public static string Mint(string secret, IReadOnlyCollection<string> merchants, DateTimeOffset expires, string? issuer = null, string? audience = null)
    {
        // An already-expired token (for tests) is issued just before it expired, so it is well formed.
        var now = DateTime.UtcNow;
        var issuedAt = expires.UtcDateTime > now ? now.AddSeconds(-1) : expires.UtcDateTime.AddMinutes(-1);
        return new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Claims = new Dictionary<string, object> { [MerchantsClaim] = merchants.ToArray() },
            Expires = expires.UtcDateTime,
            NotBefore = issuedAt,
            IssuedAt = issuedAt,
            Issuer = issuer,
            Audience = audience,
            SigningCredentials = new SigningCredentials(SigningKey(secret), SecurityAlgorithms.HmacSha256),
        });
    }
}
