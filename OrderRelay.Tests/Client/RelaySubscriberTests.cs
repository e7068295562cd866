using System.Net;
using System.Text.Json;
using OrderRelay.Client;
using OrderRelay.Tests.Security;
using OrderRelay.Tests.Support;

namespace OrderRelay.Tests.Client;

/// <summary>OrderRelay.Client's subscriber against a real relay on loopback.</summary>
[CancelAfter(60_000)]
public sealed class RelaySubscriberTests
{
    [Test]
    public async Task WithToken_ReceivesOrdersOfItsMerchantAsPublished()
    {
        await using var relay = await RelayServer.StartAsync(SecuredRelay.Settings);
        await using var events = new SubscriberEvents(new RelaySubscriber(ClientOptions.Subscriber(relay.WebSocketUri, SecuredRelay.Token("m-1001", "m-2002"), "m-1001")));
        var connected = await events.NextAsync<Connected>();
        await using var publisher = await relay.ConnectPublisherAsync(SecuredRelay.PublisherHello());

        await publisher.PublishAsync(Frames.Order("m-2002", 1));
        await publisher.PublishAsync(Frames.Order("m-1001", 2));
        var order = await events.NextAsync<OrderReceived>();

        Assert.That((connected.Recovered, connected.ResumedFrom), Is.EqualTo((true, (long?)null)));
        Assert.That(connected.Merchants, Is.EqualTo(new[] { "m-1001" }));
        Assert.That((order.Seq, order.MerchantId, order.Epoch), Is.EqualTo((2L, "m-1001", connected.Epoch)));
        Assert.That(order.Order.GetRawText(), Is.EqualTo(Frames.Order("m-1001", 2)), "the publisher's bytes, 100.00 and 张三 included");
        Assert.That(order.AcceptedAt, Is.GreaterThan(DateTimeOffset.UtcNow.AddMinutes(-5)));
    }

    /// <summary>The connection drops; orders published meanwhile arrive after the reconnection, each once, then live ones.</summary>
    [Test]
    public async Task DropMidStream_ResumesWithSince_ReceivesExactlyTheMissedOrders()
    {
        await using var relay = await RelayServer.StartAsync();
        await using var network = new TcpProxy(relay.HttpBase);
        await using var events = new SubscriberEvents(new RelaySubscriber(ClientOptions.Subscriber(new Uri($"ws://127.0.0.1:{network.Port}/"))));
        var first = await events.NextAsync<Connected>();
        await using var publisher = await relay.ConnectPublisherAsync();
        for (var i = 1; i <= 3; i++)
        {
            await publisher.PublishAsync(Frames.Order("m-1001", i));
        }

        Assert.That(await events.OrderSeqsAsync(3), Is.EqualTo(new long[] { 1, 2, 3 }));
        network.DropAllAndRefuse();
        await events.NextAsync<Disconnected>();
        for (var i = 4; i <= 7; i++)
        {
            await publisher.PublishAsync(Frames.Order("m-1001", i));
        }

        network.Restore();
        var resumed = await events.NextAsync<Connected>();
        var missed = await events.OrderSeqsAsync(4);
        await publisher.PublishAsync(Frames.Order("m-1001", 8));
        var live = await events.NextAsync<OrderReceived>();

        Assert.That((resumed.ResumedFrom, resumed.Recovered, resumed.EpochChanged, resumed.Epoch), Is.EqualTo(((long?)3, true, false, first.Epoch)));
        Assert.That(missed, Is.EqualTo(new long[] { 4, 5, 6, 7 }));
        Assert.That(live.Seq, Is.EqualTo(8), "no gap and no duplicate at the seam");
        Assert.That(events.Subscriber.LastSeq, Is.EqualTo(8));
    }

    /// <summary>While the subscriber was away the relay pruned orders it missed: it is told, and gets what is still kept.</summary>
    [Test]
    public async Task MissedOrdersPrunedWhileAway_ConnectedSaysNotRecovered()
    {
        await using var relay = await RelayServer.StartAsync("Relay:HistoryLimit=2");
        await using var network = new TcpProxy(relay.HttpBase);
        await using var events = new SubscriberEvents(new RelaySubscriber(ClientOptions.Subscriber(new Uri($"ws://127.0.0.1:{network.Port}/"))));
        var first = await events.NextAsync<Connected>();
        await using var publisher = await relay.ConnectPublisherAsync();
        await publisher.PublishAsync(Frames.Order("m-1001", 1));
        Assert.That((await events.NextAsync<OrderReceived>()).Seq, Is.EqualTo(1));

        network.DropAllAndRefuse();
        await events.NextAsync<Disconnected>();
        for (var i = 2; i <= 6; i++)
        {
            await publisher.PublishAsync(Frames.Order("m-1001", i));
        }

        network.Restore();
        var resumed = await events.NextAsync<Connected>();

        Assert.That((resumed.ResumedFrom, resumed.Recovered, resumed.EpochChanged, resumed.Epoch), Is.EqualTo(((long?)1, false, false, first.Epoch)),
            "orders 2 to 4 are gone: never pretend recovered");
        Assert.That(await events.OrderSeqsAsync(2), Is.EqualTo(new long[] { 5, 6 }));
    }

    /// <summary>The relay restarts with an empty memory store (a new epoch): the subscriber is told, and receives the new epoch's orders.</summary>
    [Test]
    public async Task RelayRestartedWithNewEpoch_ConnectedSaysNotRecovered()
    {
        var relay = await RelayServer.StartAsync();
        var port = relay.HttpBase.Port;
        await using var events = new SubscriberEvents(new RelaySubscriber(ClientOptions.Subscriber(relay.WebSocketUri)));
        var before = await events.NextAsync<Connected>();
        await using (var publisher = await relay.ConnectPublisherAsync())
        {
            await publisher.PublishAsync(Frames.Order("m-1001", 1));
            await publisher.PublishAsync(Frames.Order("m-1001", 2));
        }

        Assert.That(await events.OrderSeqsAsync(2), Is.EqualTo(new long[] { 1, 2 }));
        await relay.DisposeAsync();
        await events.NextAsync<Disconnected>();
        await using var restarted = await RelayServer.StartAsync($"Relay:Port={port}");
        var after = await events.NextAsync<Connected>();
        await using var newPublisher = await restarted.ConnectPublisherAsync();
        await newPublisher.PublishAsync(Frames.Order("m-1001", 3));
        var order = await events.NextAsync<OrderReceived>();

        Assert.That(after.Epoch, Is.Not.EqualTo(before.Epoch));
        Assert.That((after.ResumedFrom, after.Recovered, after.EpochChanged), Is.EqualTo(((long?)2, false, true)), "never pretend recovered");
        Assert.That((order.Seq, order.Epoch), Is.EqualTo((1L, after.Epoch)));
        Assert.That(events.Subscriber.Epoch, Is.EqualTo(after.Epoch));
    }

    [Test]
    public async Task StartedWithAPositionFromAnotherEpoch_ToldNotRecovered_GetsTheWholeHistory()
    {
        await using var relay = await RelayServer.StartAsync();
        await using (var publisher = await relay.ConnectPublisherAsync())
        {
            await publisher.PublishAsync(Frames.Order("m-1001", 1));
            await publisher.PublishAsync(Frames.Order("m-1001", 2));
        }

        var options = ClientOptions.Subscriber(relay.WebSocketUri);
        options.Since = 40;
        options.Epoch = "e-from-before";
        await using var events = new SubscriberEvents(new RelaySubscriber(options));
        var connected = await events.NextAsync<Connected>();

        Assert.That((connected.Recovered, connected.EpochChanged, connected.ResumedFrom), Is.EqualTo((false, true, (long?)40)));
        Assert.That(await events.OrderSeqsAsync(2), Is.EqualTo(new long[] { 1, 2 }));
    }

    /// <summary>The callback form: each order is confirmed as it is handled, and the relay records the receipt.</summary>
    [Test]
    public async Task RunAsyncConfirmingEachOrder_RecordedAsTheMerchantsReadReceipt()
    {
        await using var relay = await RelayServer.StartAsync();
        await using var subscriber = new RelaySubscriber(ClientOptions.Subscriber(relay.WebSocketUri, null, "m-1001"));
        using var stop = new CancellationTokenSource();
        var connected = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var handled = new TaskCompletionSource<long>(TaskCreationOptions.RunContinuationsAsynchronously);
        var running = subscriber.RunAsync(
            async (order, cancellationToken) =>
            {
                await subscriber.ConfirmAsync(order.Seq, cancellationToken);
                handled.TrySetResult(order.Seq);
            },
            (_, _) =>
            {
                connected.TrySetResult();
                return ValueTask.CompletedTask;
            },
            stop.Token);
        await connected.Task.WaitAsync(TimeSpan.FromSeconds(20));
        await using var publisher = await relay.ConnectPublisherAsync();
        await publisher.PublishAsync(Frames.Order("m-1001", 1));
        var seq = await handled.Task.WaitAsync(TimeSpan.FromSeconds(20));

        // Nothing answers a receipt, so the merchant's status is read until it shows it.
        await Eventually.UntilAsync(() => ConfirmedSeqAsync(relay, "m-1001"), confirmed => confirmed == seq, "the confirmation to be recorded");

        await stop.CancelAsync();
        Assert.That(async () => await running, Throws.InstanceOf<OperationCanceledException>());
        Assert.That(await ConfirmedSeqAsync(relay, "m-1001"), Is.EqualTo(1));
    }

    [Test]
    public async Task BadToken_EnumerationThrowsRelayAuthenticationException()
    {
        await using var relay = await RelayServer.StartAsync(SecuredRelay.Settings);
        await using var subscriber = new RelaySubscriber(ClientOptions.Subscriber(relay.WebSocketUri, "not-a-token"));

        var error = Assert.ThrowsAsync<RelayAuthenticationException>(async () =>
        {
            await foreach (var _ in subscriber.ReadAllAsync())
            {
                Assert.Fail("nothing may be yielded to a refused subscriber");
            }
        });

        Assert.That(error!.Message, Does.Contain("auth_failed").And.Not.Contain("not-a-token"));
    }

    [Test]
    public async Task Cancelled_EnumerationEnds_AndCanStartAgainFromItsPosition()
    {
        await using var relay = await RelayServer.StartAsync();
        await using var subscriber = new RelaySubscriber(ClientOptions.Subscriber(relay.WebSocketUri));
        using var cancel = new CancellationTokenSource();
        var seen = new List<SubscriberEvent>();

        Assert.That(async () =>
        {
            await foreach (var happened in subscriber.ReadAllAsync(cancel.Token))
            {
                seen.Add(happened);
                await cancel.CancelAsync();
            }
        }, Throws.InstanceOf<OperationCanceledException>());
        await using var publisher = await relay.ConnectPublisherAsync();
        await publisher.PublishAsync(Frames.Order("m-1001", 1));
        await using var again = new SubscriberEvents(subscriber);
        var resumed = await again.NextAsync<Connected>();

        Assert.That(seen.Single(), Is.InstanceOf<Connected>());
        Assert.That((resumed.ResumedFrom, resumed.Recovered), Is.EqualTo(((long?)0, true)));
        Assert.That((await again.NextAsync<OrderReceived>()).Seq, Is.EqualTo(1), "published while no one read, delivered on resuming");
    }

    private static async Task<long> ConfirmedSeqAsync(RelayServer relay, string merchantId)
    {
        using var response = await relay.Http.GetAsync($"/merchants/{merchantId}");
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return body.RootElement.GetProperty("confirmed_seq").GetInt64();
    }
}
