using OrderRelay.Protocol;

namespace OrderRelay.Core;

/// <summary>A publish the relay could not accept for reasons of its own, not the publisher's.</summary>
internal sealed class PublishFailedException : Exception
{
    public PublishFailedException(string errorCode, string message, Exception? innerException = null)
        : base(message, innerException) => ErrorCode = errorCode;

    public PublishFailedException()
        : this(ErrorCodes.InternalError, "The publish failed.")
    {
    }

    public PublishFailedException(string message)
        : this(ErrorCodes.InternalError, message)
    {
    }

    public PublishFailedException(string message, Exception innerException)
        : this(ErrorCodes.InternalError, message, innerException)
    {
    }

    /// <summary>The protocol error code: <c>store_unavailable</c> or <c>server_shutdown</c>.</summary>
    public string ErrorCode { get; }
}
