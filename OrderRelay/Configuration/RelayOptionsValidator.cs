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
        Require(System.Net.IPAddress.TryParse(options.Bind, out _) || options.Bind is "localhost" or "*",
            nameof(options.Bind), "must be an IP address, 'localhost' or '*'", options.Bind);
        Require(options.Path.StartsWith('/'), nameof(options.Path), "must start with '/'", options.Path);
        Require(options.Store is StoreKinds.Memory or StoreKinds.Sqlite, nameof(options.Store),
            $"must be '{StoreKinds.Sqlite}' or '{StoreKinds.Memory}'", options.Store);
        Require(options.Store != StoreKinds.Sqlite || !string.IsNullOrWhiteSpace(options.Sqlite.Path), "Sqlite:Path",
            "must name the database file", options.Sqlite.Path);
        Require(options.Sqlite.BusyTimeout >= TimeSpan.FromSeconds(1) && options.Sqlite.BusyTimeout <= TimeSpan.FromMinutes(10), "Sqlite:BusyTimeout",
            "must be between 00:00:01 and 00:10:00", options.Sqlite.BusyTimeout);
        Require(options.History.MaxAge > TimeSpan.Zero, "History:MaxAge", "must be positive", options.History.MaxAge);
        Require(options.History.MaxOrders is >= 1 and <= 1_000_000_000, "History:MaxOrders",
            "must be between 1 and 1000000000", options.History.MaxOrders);
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
        return errors;
    }
}
