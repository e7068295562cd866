using OrderRelay.Core;
using OrderRelay.Protocol;

namespace OrderRelay.Connections;

/// <summary>
/// What a connection does with its frames once its <c>hello</c> is accepted: the frames every role
/// answers alike are answered here, the rest by its role (<see cref="PublisherSession"/>,
/// <see cref="SubscriberSession"/>). One per connection, created at its hello.
/// </summary>
internal abstract class ConnectionSession(RelayConnection connection, OutboundQueue outbound, CancellationToken lifetime) : IAsyncDisposable
{
    protected RelayConnection Connection => connection;

    protected RelayConnectionServices Services => connection.Services;

    protected Relay Relay => connection.Services.Relay;

    /// <summary>The connection's outgoing queue, its only way to the socket.</summary>
    protected OutboundQueue Outbound => outbound;

    /// <summary>Cancelled when the connection ends.</summary>
    protected CancellationToken Lifetime => lifetime;

    public ValueTask HandleFrameAsync(ReadOnlySpan<byte> payload)
    {
        var frame = Services.Parser.Parse(payload);
        if (frame.ProblemCode is { } problem)
        {
            return connection.ReplyErrorAsync(problem, frame.ProblemMessage!, frame.Id);
        }

        return frame.Type switch
        {
            "publish" => PublishAsync(frame, payload),
            "ack" => ConfirmAsync(frame),
            "accept" => AcceptAsync(frame),
            "ping" => connection.ReplyAsync(FrameEncoder.Pong),
            "hello" => connection.ReplyErrorAsync(ErrorCodes.NotAllowed, "This connection has already said hello.", frame.Id),
            _ => connection.ReplyErrorAsync(ErrorCodes.UnknownType, $"Unknown frame type \"{frame.Type}\".", frame.Id),
        };
    }

    /// <summary>Ends what the session still has under way, once the connection's lifetime is cancelled, and releases what it holds.</summary>
    public abstract ValueTask DisposeAsync();

    protected abstract ValueTask PublishAsync(ClientFrame frame, ReadOnlySpan<byte> payload);

    protected abstract ValueTask ConfirmAsync(ClientFrame frame);

    protected abstract ValueTask AcceptAsync(ClientFrame frame);
}
