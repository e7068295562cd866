namespace OrderRelay.Configuration;

/// <summary>
/// The <c>Relay:Escalation</c> section: an order no person accepts within <see cref="After"/> is
/// POSTed, signed, to <see cref="WebhookUrl"/> (docs/receipts.md). Off while <see cref="After"/> is zero.
/// </summary>
internal sealed class EscalationOptions
{
    public TimeSpan After { get; set; } = TimeSpan.Zero;

    public string WebhookUrl { get; set; } = "";

    /// <summary>The HMAC-SHA256 key (its UTF-8 bytes) the webhook body is signed with; never logged.</summary>
    public string Secret { get; set; } = "";

    /// <summary>Orders owed an escalation at once; past it a new order gets none (logged, counted).</summary>
    public int MaxPending { get; set; } = 100_000;

    /// <summary>How long one webhook call may take before it counts as failed and is retried.</summary>
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>The longest wait between two attempts; the back-off doubles from one second up to it.</summary>
    public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromMinutes(5);

    public bool Enabled => After > TimeSpan.Zero;
}
