namespace OrderRelay.Protocol;

/// <summary>
/// One client frame as read, before the connection decides what it means in its state.
/// A frame with a <see cref="ProblemCode"/> is refused with that code; its <see cref="Id"/>
/// is set whenever it could be read, so the error can carry it.
/// </summary>
internal sealed class ClientFrame
{
    public string? Type { get; set; }

    public string? Id { get; set; }

    public string? Role { get; set; }

    public string? Token { get; set; }

    public string? Epoch { get; set; }

    /// <summary>The merchants a subscriber asked for; null when it asked for every merchant.</summary>
    public List<string>? Merchants { get; set; }

    public long? Since { get; set; }

    public long? Seq { get; set; }

    /// <summary>A publisher's hello asked for receipts (docs/receipts.md).</summary>
    public bool Receipts { get; set; }

    /// <summary>The last receipt cursor a publisher has seen; null to start with receipts from now on.</summary>
    public long? ReceiptsAfter { get; set; }

    public OrderField Order { get; set; }

    /// <summary>Where the order object lies in the frame's bytes.</summary>
    public Range OrderRange { get; set; }

    /// <summary>The order's routing key normalised to a string; null when it has none.</summary>
    public string? OrderMerchantId { get; set; }

    public string? ProblemCode { get; private set; }

    public string? ProblemMessage { get; private set; }

    /// <summary>Keeps the first problem found: it is the one the client most needs to hear about.</summary>
    public void Problem(string code, string message)
    {
        if (ProblemCode is null)
        {
            ProblemCode = code;
            ProblemMessage = message;
        }
    }
}

internal enum OrderField
{
    Missing,
    NotAnObject,
    Object,
}
