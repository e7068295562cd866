namespace OrderRelay.Configuration;

/// <summary>The <c>Relay:Auth</c> section. With no keys and no secret the relay runs in open mode.</summary>
internal sealed class AuthOptions
{
    /// <summary>Keys that publishers present as <c>token</c> in hello or as <c>Authorization: Bearer</c>.</summary>
    public List<string> PublisherKeys { get; set; } = [];

    /// <summary>HS256 secret (its UTF-8 bytes, at least 32) that subscriber tokens are signed with.</summary>
    public string SubscriberSecret { get; set; } = "";

    /// <summary>When set, a subscriber token's <c>iss</c> must equal it.</summary>
    public string Issuer { get; set; } = "";

    /// <summary>When set, a subscriber token's <c>aud</c> must contain it.</summary>
    public string Audience { get; set; } = "";

    public bool IsOpen => PublisherKeys.Count == 0 && SubscriberSecret.Length == 0;
}
