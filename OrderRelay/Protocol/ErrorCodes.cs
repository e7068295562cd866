namespace OrderRelay.Protocol;

/// <summary>The <c>code</c> values of <c>error</c> frames (protocol v1, plus the relay's own, documented in docs/protocol.md).</summary>
internal static class ErrorCodes
{
    public const string HandshakeRequired = "handshake_required";
    public const string HandshakeTimeout = "handshake_timeout";
    public const string AuthFailed = "auth_failed";
    public const string BadJson = "bad_json";
    public const string BadFrame = "bad_frame";
    public const string TooLarge = "too_large";
    public const string RateLimited = "rate_limited";
    public const string NotAllowed = "not_allowed";
    public const string UnknownType = "unknown_type";
    public const string SlowConsumer = "slow_consumer";
    public const string ServerShutdown = "server_shutdown";

    // Not named by protocol v1; documented in docs/protocol.md.
    public const string StoreUnavailable = "store_unavailable";
    public const string InternalError = "internal_error";
    public const string EpochChanged = "epoch_changed";

    // Issue 15 (accept), docs/receipts.md.
    public const string NotYours = "not_yours";
    public const string UnknownSeq = "unknown_seq";
    public const string NotFound = "not_found";
}
