namespace OrderRelay.Client;

/// <summary>Turns the relay's refusal of one publish (WebSocket error code or HTTP problem code) into its exception.</summary>
internal static class PublishErrors
{
    public static RelayException From(string code, string message, string id, TimeSpan? retryAfter)
    {
        var text = $"The relay did not accept order '{id}': {code}: {message}";
        return code switch
        {
            "auth_failed" => new RelayAuthenticationException(text),
            "rate_limited" or "store_unavailable" => new RelayBusyException(code, text, id, retryAfter),
            "bad_json" or "bad_frame" or "too_large" => new OrderRejectedException(code, text, id),
            _ => new RelayException(code, text),
        };
    }
}
