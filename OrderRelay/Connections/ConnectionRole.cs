namespace OrderRelay.Connections;

internal static class ConnectionRole
{
    public const string Publisher = "publisher";
    public const string Subscriber = "subscriber";
}
