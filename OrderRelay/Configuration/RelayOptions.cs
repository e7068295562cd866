namespace OrderRelay.Configuration;

/// <summary>The <c>Relay</c> configuration section. Defaults are the documented ones.</summary>
internal sealed class RelayOptions
{
    public const string SectionName = "Relay";

    public int Port { get; set; } = 8080;

    public string Bind { get; set; } = "127.0.0.1";

    /// <summary>The address <see cref="Bind"/> names: <c>*</c> is every address, <c>localhost</c> the IPv4 loopback.</summary>
    public bool TryGetBindAddress([System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out System.Net.IPAddress? address)
    {
        address = Bind switch
        {
            "*" => System.Net.IPAddress.IPv6Any,
            "localhost" => System.Net.IPAddress.Loopback,
            _ => System.Net.IPAddress.TryParse(Bind, out var parsed) ? parsed : null,
        };
        return address is not null;
    }

    public string Path { get; set; } = "/";

    public string Store { get; set; } = StoreKinds.Sqlite;

    /// <summary>The SQLite journal (<c>Relay:Sqlite:*</c>), used when <see cref="Store"/> is <c>sqlite</c>.</summary>
    public SqliteOptions Sqlite { get; set; } = new();

    /// <summary>How much history the journal keeps (<c>Relay:History:*</c>).</summary>
    public HistoryOptions History { get; set; } = new();

    public int MaxMessageBytes { get; set; } = 65_536;

    public TimeSpan HandshakeTimeout { get; set; } = TimeSpan.FromSeconds(10);

    public TimeSpan KeepAliveInterval { get; set; } = TimeSpan.FromSeconds(15);

    public TimeSpan KeepAliveTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How long a peer gets to answer our close frame before its socket is aborted.</summary>
    public TimeSpan CloseTimeout { get; set; } = TimeSpan.FromSeconds(2);

    public int SubscriberQueueLimit { get; set; } = 1024;

    /// <summary>
    /// Orders kept in RAM for replay (and idempotency keys with them) by the memory store; it keeps
    /// the smaller of this and <see cref="HistoryOptions.MaxOrders"/>. The SQLite store ignores it.
    /// </summary>
    public int HistoryLimit { get; set; } = 100_000;

    /// <summary>Merchants whose delivery and confirmation state is remembered.</summary>
    public int MerchantLimit { get; set; } = 100_000;

    public string MerchantField { get; set; } = "merchant_id";

    /// <summary>Optional rolling log file path; empty logs to the console only.</summary>
    public string LogFile { get; set; } = "";

    public RedisStoreOptions Redis { get; set; } = new();

    public AuthOptions Auth { get; set; } = new();

    public LimitOptions Limits { get; set; } = new();

    public TlsOptions Tls { get; set; } = new();

    /// <summary>Escalation of orders nobody accepts in time (<c>Relay:Escalation:*</c>); off by default.</summary>
    public EscalationOptions Escalation { get; set; } = new();

    public ForwardedHeadersSettings ForwardedHeaders { get; set; } = new();

    /// <summary>The live status page (<c>Relay:Status:*</c>).</summary>
    public StatusPageOptions Status { get; set; } = new();

    /// <summary>Compatibility paths for programs written before protocol version 1 (<c>Relay:Compat:*</c>).</summary>
    public CompatOptions Compat { get; set; } = new();

    /// <summary>Browser origins allowed to connect (exact, e.g. <c>https://shop.example</c>); empty allows any.</summary>
    public List<string> AllowedOrigins { get; set; } = [];

    /// <summary>Allows open mode (no keys, no secret) on a non-loopback address. For trusted networks only.</summary>
    public bool AllowInsecure { get; set; }

    /// <summary>Serves the merchant sample page at <c>/merchant/</c>; a production deployment turns it off.</summary>
    public bool ServeSamples { get; set; } = true;

    /// <summary>Publishes a synthetic order every couple of seconds (also the <c>--demo</c> switch).</summary>
    public bool Demo { get; set; }
}

internal static class StoreKinds
{
    public const string Memory = "memory";
    public const string Redis = "redis";
    public const string Sqlite = "sqlite";
}
