namespace OrderRelay.Configuration;

/// <summary>
/// Checks every setting once at start-up, so a typo stops the relay with a message
/// naming the setting instead of surfacing later as odd behaviour.
/// </summary>
internal static class RelayOptionsValidator
{
    public static IReadOnlyList<string> Validate(RelayOptions options)
    {
        var errors = new List<string>();

        void Require(bool condition, string setting, string rule, object? value)
        {
            if (!condition)
            {
                errors.Add($"{RelayOptions.SectionName}:{setting} {rule} (got '{value}').");
            }
        }

        Require(options.Port is >= 0 and <= 65_535, nameof(options.Port), "must be between 0 and 65535", options.Port);
        Require(options.TryGetBindAddress(out _),
            nameof(options.Bind), "must be an IP address, 'localhost' or '*'", options.Bind);
        Require(options.Path.StartsWith('/'), nameof(options.Path), "must start with '/'", options.Path);
        Require(options.Store is StoreKinds.Sqlite or StoreKinds.Memory or StoreKinds.Redis, nameof(options.Store),
            $"must be '{StoreKinds.Sqlite}', '{StoreKinds.Memory}' or '{StoreKinds.Redis}'", options.Store);
        Require(options.Store != StoreKinds.Sqlite || !string.IsNullOrWhiteSpace(options.Sqlite.Path), "Sqlite:Path",
            "must name the database file", options.Sqlite.Path);
        Require(options.Sqlite.BusyTimeout >= TimeSpan.FromSeconds(1) && options.Sqlite.BusyTimeout <= TimeSpan.FromMinutes(10), "Sqlite:BusyTimeout",
            "must be between 00:00:01 and 00:10:00", options.Sqlite.BusyTimeout);
        Require(options.History.MaxAge > TimeSpan.Zero, "History:MaxAge", "must be positive", options.History.MaxAge);
        Require(options.History.MaxOrders is >= 1 and <= 1_000_000_000, "History:MaxOrders",
            "must be between 1 and 1000000000", options.History.MaxOrders);
        if (options.Store == StoreKinds.Redis)
        {
            Require(options.Redis.Configuration.Length > 0, "Redis:Configuration",
                "must be set when Relay:Store is 'redis' (a StackExchange.Redis configuration string such as 'localhost:6379')", "");
            Require(TryParseRedisConfiguration(options.Redis.Configuration), "Redis:Configuration",
                "is not a valid StackExchange.Redis configuration string", "(not shown: it may hold a password)");
            Require(options.Redis.KeyPrefix.Length > 0, "Redis:KeyPrefix", "must not be empty", options.Redis.KeyPrefix);
            Require(options.Redis.WaitReplicas >= 0, "Redis:WaitReplicas", "must be 0 (ack once the primary has the order) or more", options.Redis.WaitReplicas);
            // Redis reads a WAIT timeout of 0 as "forever", and the client must not give up on a WAIT before Redis answers it.
            // Unused without WaitReplicas, so then it does not stand in the way of a short OperationTimeout.
            Require(options.Redis.WaitReplicas == 0
                    || (options.Redis.WaitTimeout >= TimeSpan.FromMilliseconds(10) && options.Redis.WaitTimeout < options.Redis.OperationTimeout),
                "Redis:WaitTimeout", "must be at least 00:00:00.01 and shorter than Relay:Redis:OperationTimeout", options.Redis.WaitTimeout);
        }

        Require(options.Redis.OperationTimeout >= TimeSpan.FromMilliseconds(100) && options.Redis.OperationTimeout <= TimeSpan.FromMinutes(1),
            "Redis:OperationTimeout", "must be between 00:00:00.1 and 00:01:00", options.Redis.OperationTimeout);

        Require(options.MaxMessageBytes is >= 1024 and <= 16 * 1024 * 1024, nameof(options.MaxMessageBytes),
            "must be between 1024 and 16777216", options.MaxMessageBytes);
        Require(options.HandshakeTimeout > TimeSpan.Zero, nameof(options.HandshakeTimeout), "must be positive", options.HandshakeTimeout);
        Require(options.KeepAliveInterval >= TimeSpan.Zero, nameof(options.KeepAliveInterval),
            "must be zero (off) or positive", options.KeepAliveInterval);
        Require(options.KeepAliveTimeout >= TimeSpan.Zero, nameof(options.KeepAliveTimeout),
            "must be zero (off) or positive", options.KeepAliveTimeout);
        Require(options.CloseTimeout > TimeSpan.Zero, nameof(options.CloseTimeout), "must be positive", options.CloseTimeout);
        Require(options.SubscriberQueueLimit is >= 1 and <= 1_000_000, nameof(options.SubscriberQueueLimit),
            "must be between 1 and 1000000", options.SubscriberQueueLimit);
        Require(options.HistoryLimit is >= 1 and <= 100_000_000, nameof(options.HistoryLimit),
            "must be between 1 and 100000000", options.HistoryLimit);
        Require(options.MerchantLimit >= 1, nameof(options.MerchantLimit), "must be at least 1", options.MerchantLimit);
        Require(!string.IsNullOrWhiteSpace(options.MerchantField), nameof(options.MerchantField),
            "must name the order field that carries the merchant id", options.MerchantField);
        ValidateSecurity(options, Require);
        ValidateStatusAndCompat(options, Require);
        ValidateEscalation(options.Escalation, Require);
        return errors;
    }

    private static void ValidateSecurity(RelayOptions options, Action<bool, string, string, object?> require)
    {
        var auth = options.Auth;
        require(auth.SubscriberSecret.Length == 0 || System.Text.Encoding.UTF8.GetByteCount(auth.SubscriberSecret) >= 32,
            "Auth:SubscriberSecret", "must be at least 32 bytes of UTF-8 (HS256 needs a 256-bit key)", "(not shown: it is a secret)");
        require(auth.PublisherKeys.TrueForAll(key => key.Length >= 16), "Auth:PublisherKeys",
            "must each be at least 16 characters long", "(not shown: they are secrets)");
        require(!auth.IsOpen || options.AllowInsecure || (options.TryGetBindAddress(out var bind) && System.Net.IPAddress.IsLoopback(bind)), "Bind",
            "is not a loopback address, and no Relay:Auth:PublisherKeys or Relay:Auth:SubscriberSecret is configured; " +
            "configure them, or set Relay:AllowInsecure=true to run open on a trusted network", options.Bind);
        var limits = options.Limits;
        require(limits.MaxConnections >= 1, "Limits:MaxConnections", "must be at least 1", limits.MaxConnections);
        require(limits.MaxConnectionsPerAddress >= 1, "Limits:MaxConnectionsPerAddress", "must be at least 1", limits.MaxConnectionsPerAddress);
        require(limits.MaxPendingHandshakesPerAddress >= 1, "Limits:MaxPendingHandshakesPerAddress", "must be at least 1", limits.MaxPendingHandshakesPerAddress);
        require(limits.MaxPendingHandshakes >= limits.MaxPendingHandshakesPerAddress, "Limits:MaxPendingHandshakes",
            "must be at least Relay:Limits:MaxPendingHandshakesPerAddress", limits.MaxPendingHandshakes);
        require(limits.MaxSubscribersPerToken >= 1, "Limits:MaxSubscribersPerToken", "must be at least 1", limits.MaxSubscribersPerToken);
        require(limits.PublishRatePerSecond >= 1, "Limits:PublishRatePerSecond", "must be at least 1", limits.PublishRatePerSecond);
        require(limits.PublishBurst >= 1, "Limits:PublishBurst", "must be at least 1", limits.PublishBurst);
        require(options.Tls.KeyPath.Length == 0 || options.Tls.Enabled, "Tls:KeyPath",
            "needs Relay:Tls:CertificatePath too", options.Tls.KeyPath);
        var forwarded = options.ForwardedHeaders;
        require(forwarded.KnownProxies.TrueForAll(IsWholeAddress), "ForwardedHeaders:KnownProxies",
            "must be whole IP addresses such as 127.0.0.1 or ::1", string.Join(' ', forwarded.KnownProxies));
        require(forwarded.KnownNetworks.TrueForAll(network => network.Split('/') is [var address, _] && IsWholeAddress(address) &&
                System.Net.IPNetwork.TryParse(network, out var parsed) && parsed.BaseAddress.Equals(System.Net.IPAddress.Parse(address))),
            "ForwardedHeaders:KnownNetworks",
            "must be networks in CIDR notation with no host bits set, such as 10.0.0.0/8", string.Join(' ', forwarded.KnownNetworks));
        require(options.AllowedOrigins.TrueForAll(origin => Uri.TryCreate(origin, UriKind.Absolute, out _)), "AllowedOrigins",
            "must be absolute origins such as https://shop.example", string.Join(' ', options.AllowedOrigins));
    }

    private static void ValidateStatusAndCompat(RelayOptions options, Action<bool, string, string, object?> require)
    {
        require(!options.Status.AllowRemote || options.Status.Enabled, "Status:AllowRemote",
            "needs Relay:Status:Enabled=true (the page is off)", options.Status.AllowRemote);
        require(!options.Status.AllowRemote || options.Auth.PublisherKeys.Count == 0, "Status:AllowRemote",
            "has no effect with Relay:Auth:PublisherKeys: the publisher key opens the page from anywhere; remove it", options.Status.AllowRemote);
        var seedPath = options.Compat.SeedPath;
        if (!options.Compat.SeedEnabled)
        {
            return;
        }

        require(seedPath.StartsWith('/') && seedPath.Length > 1 && !seedPath.Contains('?') && !seedPath.Contains('#'), "Compat:SeedPath",
            "must be a path such as /seed (not '/', no query)", seedPath);
        require(!string.Equals(seedPath.TrimEnd('/'), options.Path.TrimEnd('/'), StringComparison.OrdinalIgnoreCase), "Compat:SeedPath",
            "must differ from Relay:Path, where protocol version 1 is spoken", seedPath);
        require(options.Auth.SubscriberSecret.Length == 0, "Compat:SeedPath",
            "cannot be used with Relay:Auth:SubscriberSecret: the seed's page sends no token, so the path would let anyone read every " +
            "merchant's orders past the secret (docs/compat.md)", seedPath);
    }

    private static void ValidateEscalation(EscalationOptions escalation, Action<bool, string, string, object?> require)
    {
        require(escalation.After >= TimeSpan.Zero, "Escalation:After", "must be zero (off) or positive", escalation.After);
        if (!escalation.Enabled)
        {
            return;
        }

        require(Uri.TryCreate(escalation.WebhookUrl, UriKind.Absolute, out var webhook) && (webhook.Scheme == Uri.UriSchemeHttp || webhook.Scheme == Uri.UriSchemeHttps),
            "Escalation:WebhookUrl", "must be an absolute http:// or https:// URL when Relay:Escalation:After is set", escalation.WebhookUrl);
        require(System.Text.Encoding.UTF8.GetByteCount(escalation.Secret) >= 32, "Escalation:Secret",
            "must be at least 32 bytes of UTF-8 when Relay:Escalation:After is set (HMAC-SHA256 key)", "(not shown: it is a secret)");
        require(escalation.MaxPending >= 1, "Escalation:MaxPending", "must be at least 1", escalation.MaxPending);
        require(escalation.RequestTimeout >= TimeSpan.FromMilliseconds(100) && escalation.RequestTimeout <= TimeSpan.FromMinutes(5),
            "Escalation:RequestTimeout", "must be between 00:00:00.1 and 00:05:00", escalation.RequestTimeout);
        require(escalation.MaxRetryDelay >= TimeSpan.FromSeconds(1), "Escalation:MaxRetryDelay", "must be at least 00:00:01", escalation.MaxRetryDelay);
    }

    /// <summary>An address written out in full: IPAddress.Parse would also take "10" as 0.0.0.10.</summary>
    private static bool IsWholeAddress(string text) =>
        System.Net.IPAddress.TryParse(text, out var address) &&
        (address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 || text.Count(c => c == '.') == 3);

    private static bool TryParseRedisConfiguration(string configuration)
    {
        try
        {
            StackExchange.Redis.ConfigurationOptions.Parse(configuration);
            return true;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }
}
