namespace OrderRelay.Protocol;

/// <summary>The roles a <c>hello</c> names.</summary>
internal static class ConnectionRole
{
    public const string Publisher = "publisher";
    public const string Subscriber = "subscriber";
}
