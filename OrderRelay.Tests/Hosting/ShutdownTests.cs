using System.Net.WebSockets;
using OrderRelay.Tests.Support;

namespace OrderRelay.Tests.Hosting;

[CancelAfter(60_000)]
public sealed class ShutdownTests
{
    [Test]
    public async Task Sigterm_EveryClientGetsServerShutdownAnd1001_ProcessExitsZeroWithinTenSeconds()
    {
        await using var relay = await RelayProcess.StartAsync();
        await using var subscriber = await WsClient.ConnectAndHelloAsync(relay.WebSocketUri, WsClient.SubscriberHello);
        await using var publisher = await WsClient.ConnectAndHelloAsync(relay.WebSocketUri, WsClient.PublisherHello);
        Assert.That((await publisher.PublishAsync(Frames.Order("m-1", 1), id: "before-stop")).Type(), Is.EqualTo("ack"));
        Assert.That((await subscriber.ReceiveAsync()).Type(), Is.EqualTo("order"));

        var stopwatch = System.Diagnostics.Stopwatch.StartNew();
        relay.SendSigterm();

        await subscriber.ExpectErrorThenCloseAsync("server_shutdown", WebSocketCloseStatus.EndpointUnavailable);
        await publisher.ExpectErrorThenCloseAsync("server_shutdown", WebSocketCloseStatus.EndpointUnavailable);
        Assert.That(await relay.WaitForExitAsync(TimeSpan.FromSeconds(10)), Is.Zero, relay.Output);
        Assert.That(stopwatch.Elapsed, Is.LessThan(TimeSpan.FromSeconds(10)));
    }

    [Test]
    public async Task Sigterm_PublishesAlreadySentAreAckedBeforeTheClose()
    {
        await using var relay = await RelayProcess.StartAsync();
        await using var publisher = await WsClient.ConnectAndHelloAsync(relay.WebSocketUri, WsClient.PublisherHello);
        for (var i = 0; i < 200; i++)
        {
            await publisher.SendPublishAsync(Frames.Order("m-1", i), id: $"ord-{i}");
        }

        // The ack of the last publish proves every one of them reached the relay before the signal.
        var acks = new List<string>();
        while (acks.Count < 200)
        {
            acks.Add((await publisher.ReceiveOfTypeAsync("ack")).GetProperty("id").GetString()!);
        }

        relay.SendSigterm();

        await publisher.ExpectErrorThenCloseAsync("server_shutdown", WebSocketCloseStatus.EndpointUnavailable);
        Assert.That(acks, Is.EqualTo(Enumerable.Range(0, 200).Select(i => $"ord-{i}")));
        Assert.That(await relay.WaitForExitAsync(TimeSpan.FromSeconds(10)), Is.Zero, relay.Output);
    }

    [Test]
    public async Task StoppingInProcess_ClosesSubscribersWith1001()
    {
        var relay = await RelayServer.StartAsync();
        await using var subscriber = await relay.ConnectSubscriberAsync();

        var stopping = relay.DisposeAsync().AsTask();

        await subscriber.ExpectErrorThenCloseAsync("server_shutdown", WebSocketCloseStatus.EndpointUnavailable);
        await stopping.WaitAsync(TimeSpan.FromSeconds(10));
    }

    [Test]
    public async Task StoppingInProcess_PeerThatNeverAnswersTheClose_IsAbortedAndStopReturnsWithNoConnectionLeft()
    {
        await using var relay = await RelayServer.StartAsync("Relay:CloseTimeout=00:00:00.5");
        // Not reading means the client never answers the relay's close frame.
        await using var silent = await relay.ConnectSubscriberAsync();
        var connections = relay.Connections;
        Assert.That(connections.Count, Is.EqualTo(1));

        await relay.StopAsync();

        Assert.That(connections.Count, Is.Zero, "every connection ended before the host stopped");
        // The frames sent before the abort are still in the client's buffer, in order.
        await silent.ExpectErrorThenCloseAsync("server_shutdown", WebSocketCloseStatus.EndpointUnavailable);
    }
}
