using System.Security.Cryptography;
using System.Text;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using OrderRelay.Configuration;

namespace OrderRelay.Security;

/// <summary>
/// Validates subscriber tokens: HS256 JWTs signed with the configured secret, carrying
/// <c>merchants</c> and a required <c>exp</c> (and <c>iss</c>/<c>aud</c> when configured).
/// The library does the JWT work; only HS256 is accepted, so <c>alg: none</c> never passes.
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

        var merchants = jwt.Claims.Where(claim => claim.Type == MerchantsClaim).Select(claim => claim.Value).ToHashSet(StringComparer.Ordinal);
        if (merchants.Count == 0)
        {
            return (null, "The token grants no merchants (claim \"merchants\").");
        }

        var tokenId = jwt.Id is { Length: > 0 } id ? id : Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(token)), 0, 16);
        var grant = new SubscriberGrant(merchants.Contains(EveryMerchant) ? null : merchants, new DateTimeOffset(jwt.ValidTo, TimeSpan.Zero), tokenId);
        return (grant, null);
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
