using OrderRelay.Tests.Support;

namespace OrderRelay.Tests.Connections;

[CancelAfter(30_000)]
public sealed class KeepAliveTests
{
    private RelayServer _relay = null!;

    [SetUp]
    public async Task StartRelay() =>
        _relay = await RelayServer.StartAsync("Relay:KeepAliveInterval=00:00:00.200", "Relay:KeepAliveTimeout=00:00:00.600");

    [TearDown]
    public async Task StopRelay() => await _relay.DisposeAsync();

    [Test]
    public async Task PeerThatNeverAnswersPings_IsDropped()
    {
        // With no receive pending, ClientWebSocket never answers the relay's pings.
        await using var silent = await _relay.ConnectSubscriberAsync();
        var connection = _relay.Connections.Find(silent.Welcome.GetProperty("connection_id").GetString()!)!;

        await connection.Completion.WaitAsync(TimeSpan.FromSeconds(10));

        Assert.That(_relay.Connections.Count, Is.Zero);
    }

    [Test]
    public async Task PeerThatAnswersPings_StaysConnectedAcrossSeveralTimeouts()
    {
        await using var subscriber = await _relay.ConnectSubscriberAsync();
        var connection = _relay.Connections.Find(subscriber.Welcome.GetProperty("connection_id").GetString()!)!;
        // A pending receive answers pings; the order published later proves the socket survived.
        var nextFrame = subscriber.ReceiveAsync(TimeSpan.FromSeconds(15));

        Assert.ThrowsAsync<TimeoutException>(() => connection.Completion.WaitAsync(TimeSpan.FromSeconds(2)));
        await using var publisher = await _relay.ConnectPublisherAsync();
        await publisher.PublishAsync(Frames.Order("m-1", 1));

        Assert.That((await nextFrame).Type(), Is.EqualTo("order"));
    }
}
