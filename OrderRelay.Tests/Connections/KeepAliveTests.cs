using OrderRelay.Tests.Support;

namespace OrderRelay.Tests.Connections;

[CancelAfter(30_000)]
public sealed class KeepAliveTests() : RelayServerTests("Relay:KeepAliveInterval=00:00:00.200", "Relay:KeepAliveTimeout=00:00:00.600")
{
    [Test]
    public async Task PeerThatNeverAnswersPings_IsDropped()
    {
        // With no receive pending, ClientWebSocket never answers the relay's pings.
        await using var silent = await Relay.ConnectSubscriberAsync();
        var connection = Relay.Connections.Find(silent.Welcome.GetProperty("connection_id").GetString()!)!;

        await connection.Completion.WaitAsync(TimeSpan.FromSeconds(10));

        Assert.That(Relay.Connections.Count, Is.Zero);
    }

    [Test]
    public async Task PeerThatAnswersPings_StaysConnectedAcrossSeveralTimeouts()
    {
        await using var subscriber = await Relay.ConnectSubscriberAsync();
        var connection = Relay.Connections.Find(subscriber.Welcome.GetProperty("connection_id").GetString()!)!;
        // A pending receive answers pings; the order published later proves the socket survived.
        var nextFrame = subscriber.ReceiveAsync(TimeSpan.FromSeconds(15));

        Assert.ThrowsAsync<TimeoutException>(() => connection.Completion.WaitAsync(TimeSpan.FromSeconds(2)));
        await using var publisher = await Relay.ConnectPublisherAsync();
        await publisher.PublishAsync(Frames.Order("m-1", 1));

        Assert.That((await nextFrame).Type(), Is.EqualTo("order"));
    }
}
