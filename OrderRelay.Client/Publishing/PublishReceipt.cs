namespace OrderRelay.Client;

/// <summary>How a publish reached the relay.</summary>
public enum PublishTransport
{
    WebSocket,
    Http,
}

/// <summary>
/// The relay's acknowledgement: the order is stored (durably, where the store is) and will be
/// delivered. <see cref="Duplicate"/> is true when <see cref="Id"/> had been accepted before, in
/// which case <see cref="Seq"/> is the original order's and nothing was delivered again.
/// </summary>
public readonly record struct PublishReceipt(string Id, long Seq, bool Duplicate, PublishTransport Transport);
