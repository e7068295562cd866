namespace OrderRelay.Configuration;

/// <summary>The relay cannot start as configured; the message says which setting to fix.</summary>
internal sealed class RelayStartupException : Exception
{
    public RelayStartupException()
    {
    }

    public RelayStartupException(string message)
        : base(message)
    {
    }

    public RelayStartupException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
