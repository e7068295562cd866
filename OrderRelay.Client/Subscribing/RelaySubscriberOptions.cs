namespace OrderRelay.Client;

/// <summary>Settings of a <see cref="RelaySubscriber"/>; checked when the subscriber is created.</summary>
public sealed class RelaySubscriberOptions : RelayClientOptions
{
    /// <summary>The subscriber token (an HS256 JWT naming its merchants); null for a relay in open mode.</summary>
    public string? Token { get; set; }

    /// <summary>
    /// Called before each connection for a fresh token (tokens expire); when set, <see cref="Token"/> is not used.
    /// </summary>
    public Func<CancellationToken, ValueTask<string?>>? TokenProvider { get; set; }

    /// <summary>The merchants wanted; null for every merchant the token grants.</summary>
    public IReadOnlyList<string>? Merchants { get; set; }

    /// <summary>
    /// Where to resume: the last seq this client handled before it started (e.g. kept in storage).
    /// Null starts with orders newer than the connection; 0 replays every order the relay keeps.
    /// After that the subscriber remembers its position across reconnections by itself.
    /// </summary>
    public long? Since { get; set; }

    /// <summary>The epoch <see cref="Since"/> belongs to (from <see cref="RelaySubscriber.Epoch"/>), so a relay that restarted its history is noticed.</summary>
    public string? Epoch { get; set; }

    internal override void Validate()
    {
        base.Validate();
        Require(Merchants is null || (Merchants.Count is >= 1 and <= 1_000 && Merchants.All(merchant => merchant is { Length: >= 1 and <= 256 })),
            nameof(Merchants), "must hold 1 to 1000 ids of 1 to 256 characters, or be null for every merchant", Merchants?.Count ?? 0);
        Require(Since is null or >= 0, nameof(Since), "must not be negative", Since ?? 0);
        Require(Epoch is null || Since is not null, nameof(Epoch), $"means nothing without {nameof(Since)}", Epoch ?? "");
        Require(Token is null || Token.Length > 0, nameof(Token), "must not be empty (leave it null for open mode)", "\"\"");
    }
}
