namespace OrderRelay.Client;

/// <summary>The relay answered with an error; <see cref="Code"/> is its protocol error code.</summary>
public class RelayException(string code, string message, Exception? innerException = null) : Exception(message, innerException)
{
    /// <summary>The protocol's error code, e.g. <c>bad_frame</c>, <c>rate_limited</c>, <c>auth_failed</c>.</summary>
    public string Code { get; } = code;
}

/// <summary>
/// The relay refused the key or token (<c>auth_failed</c>, HTTP 401). Trying again with the same
/// credential cannot help, so the client stops: a publisher fails every waiting publish with this.
/// </summary>
public sealed class RelayAuthenticationException(string message) : RelayException("auth_failed", message);

/// <summary>
/// The relay refused this order as it is (<c>bad_frame</c>, <c>bad_json</c>, <c>too_large</c>, HTTP 400/413).
/// Nothing was stored or delivered; sending the same order again cannot help.
/// </summary>
public sealed class OrderRejectedException(string code, string message, string? id) : RelayException(code, message)
{
    /// <summary>The publish's idempotency id.</summary>
    public string? Id { get; } = id;
}

/// <summary>
/// The relay could not take the order now (<c>rate_limited</c>, <c>store_unavailable</c>; HTTP 429/503).
/// It was not acknowledged; publishing again with the same <see cref="Id"/> is always safe.
/// </summary>
public sealed class RelayBusyException(string code, string message, string? id, TimeSpan? retryAfter) : RelayException(code, message)
{
    /// <summary>The publish's idempotency id: pass it again to retry without risk of a duplicate.</summary>
    public string? Id { get; } = id;

    /// <summary>How long the relay asked to wait (HTTP <c>Retry-After</c>), when it said.</summary>
    public TimeSpan? RetryAfter { get; } = retryAfter;
}
