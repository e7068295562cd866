using System.Text.Json;
using OrderRelay.Client;
using OrderRelay.Tests.Security;
using OrderRelay.Tests.Support;

namespace OrderRelay.Tests.Client;

/// <summary>OrderRelay.Client's publisher against a real relay on loopback.</summary>
[CancelAfter(60_000)]
public sealed class RelayPublisherTests
{
    [Test]
    public async Task PipelinedPublishes_EachAckedOnce_SubscriberGetsTheBytesAsWritten()
    {
        await using var relay = await RelayServer.StartAsync();
        await using var subscriber = await relay.ConnectSubscriberAsync();
        var options = ClientOptions.Publisher(relay.WebSocketUri);
        options.MaxInFlight = 16;
        await using var publisher = new RelayPublisher(options);

        var receipts = await Task.WhenAll(Enumerable.Range(1, 100).Select(i => publisher.PublishAsync(Frames.Order("m-1001", i), $"ord-{i}")));

        Assert.That(receipts.Select(receipt => receipt.Seq), Is.EquivalentTo(Enumerable.Range(1, 100).Select(i => (long)i)));
        Assert.That(receipts.Select(receipt => receipt.Id), Is.EqualTo(Enumerable.Range(1, 100).Select(i => $"ord-{i}")));
        Assert.That(receipts.All(receipt => !receipt.Duplicate && receipt.Transport == PublishTransport.WebSocket), Is.True);
        var firstOrderId = int.Parse(receipts.Single(receipt => receipt.Seq == 1).Id["ord-".Length..], System.Globalization.CultureInfo.InvariantCulture);
        Assert.That(await subscriber.ReceiveTextAsync(), Does.Contain("\"order\":" + Frames.Order("m-1001", firstOrderId)), "100.00 and 张三 as written");
        Assert.That(await subscriber.ReceiveOrderSeqsAsync(99), Is.EqualTo(Enumerable.Range(2, 99).Select(i => (long)i)));
    }

    [Test]
    public async Task SameIdAgain_AnsweredAsDuplicateWithTheOriginalSeq()
    {
        await using var relay = await RelayServer.StartAsync();
        await using var publisher = new RelayPublisher(ClientOptions.Publisher(relay.WebSocketUri));

        var first = await publisher.PublishAsync(Frames.Order("m-1001", 1), "ord-1");
        var again = await publisher.PublishAsync(Frames.Order("m-1001", 1), "ord-1");
        var generated = await publisher.PublishAsync(Frames.Order("m-1001", 2));

        Assert.That((first.Seq, first.Duplicate), Is.EqualTo((1L, false)));
        Assert.That((again.Seq, again.Duplicate), Is.EqualTo((1L, true)));
        Assert.That(generated.Id, Does.StartWith("pub-"), "an id is generated so that a resend is safe");
        Assert.That(relay.Relay.LastSeq, Is.EqualTo(2));
    }

    /// <summary>
    /// The connection is cut while publishes are in flight: the publisher reconnects and sends the
    /// unanswered ones again with their ids. Every publish completes and every order is stored once.
    /// </summary>
    [Test]
    public async Task ConnectionCutMidStream_UnansweredAreResentWithTheirIds_NoOrderTwice()
    {
        const int Count = 400;
        await using var relay = await RelayServer.StartAsync();
        await using var network = new TcpProxy(relay.HttpBase);
        await using var subscriber = await relay.ConnectSubscriberAsync();
        var log = new RecordingLogger<RelayPublisher>();
        var options = ClientOptions.Publisher(new Uri($"ws://127.0.0.1:{network.Port}/"), logger: log);
        options.MaxInFlight = 16;
        await using var publisher = new RelayPublisher(options);
        var acked = 0;
        var quarter = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        var publishing = Task.WhenAll(Enumerable.Range(1, Count).Select(async i =>
        {
            var receipt = await publisher.PublishAsync(Frames.Order("m-1001", i), $"ord-{i}");
            if (Interlocked.Increment(ref acked) == Count / 4)
            {
                quarter.TrySetResult();
            }

            return receipt;
        }));
        await quarter.Task;
        network.DropAllAndRefuse();
        network.Restore();
        var receipts = await publishing;

        Assert.That(receipts.Select(receipt => receipt.Seq).Distinct().Count(), Is.EqualTo(Count), "each id has its own seq");
        Assert.That(relay.Relay.LastSeq, Is.EqualTo(Count), "nothing was stored twice");
        var delivered = new HashSet<int>();
        for (var i = 0; i < Count; i++)
        {
            var order = await subscriber.ReceiveOfTypeAsync("order");
            Assert.That(delivered.Add(order.GetProperty("order").GetProperty("order_id").GetInt32()), Is.True, "delivered twice");
        }

        var connections = log.Entries.Where(entry => entry.EventId == 1).Select(entry => entry.Message).ToList();
        Assert.That(connections, Has.Count.GreaterThanOrEqualTo(2), "the publisher reconnected");
        Assert.That(connections.Skip(1).Any(message => !message.Contains("; 0 unanswered", StringComparison.Ordinal)), Is.True,
            "publishes in flight at the cut were sent again: " + string.Join(" | ", connections));
    }

    [Test]
    public async Task SocketUnavailable_PublishesOverHttp_ThenBackOverTheSocket()
    {
        await using var relay = await RelayServer.StartAsync();
        await using var network = new TcpProxy(relay.HttpBase);
        await using var subscriber = await relay.ConnectSubscriberAsync();
        network.DropAllAndRefuse();
        var options = ClientOptions.Publisher(new Uri($"ws://127.0.0.1:{network.Port}/"));
        options.HttpPublishUri = new Uri(relay.HttpBase, "/publish");
        await using var publisher = new RelayPublisher(options);

        var overHttp = await publisher.PublishAsync(Frames.Order("m-1001", 1), "ord-1");
        network.Restore();
        PublishReceipt later;
        var i = 2;
        do
        {
            later = await publisher.PublishAsync(Frames.Order("m-1001", i), $"ord-{i++}");
        }
        while (later.Transport == PublishTransport.Http);

        Assert.That((overHttp.Transport, overHttp.Seq), Is.EqualTo((PublishTransport.Http, 1L)));
        Assert.That(later.Seq, Is.EqualTo(i - 1), "seqs continue, nothing twice");
        Assert.That(await subscriber.ReceiveOrderSeqsAsync(i - 1), Is.EqualTo(Enumerable.Range(1, i - 1).Select(seq => (long)seq)));
    }

    [Test]
    public async Task WebSocketOff_EveryPublishIsAnHttpPost_NoSocketHeld()
    {
        await using var relay = await RelayServer.StartAsync(SecuredRelay.Settings);
        var options = ClientOptions.Publisher(relay.WebSocketUri, key: SecuredRelay.PublisherKey);
        options.UseWebSocket = false;
        await using var publisher = new RelayPublisher(options);

        var receipts = await Task.WhenAll(publisher.PublishAsync(Frames.Order("m-1001", 1), "ord-1"), publisher.PublishAsync(Frames.Order("m-1001", 1), "ord-1"));

        Assert.That(receipts.Select(receipt => (receipt.Seq, receipt.Transport)), Is.EqualTo(new[] { (1L, PublishTransport.Http), (1L, PublishTransport.Http) }));
        Assert.That(receipts.Count(receipt => receipt.Duplicate), Is.EqualTo(1), "the Idempotency-Key is the id");
        Assert.That(relay.Connections.Count, Is.Zero);
    }

    [Test]
    public async Task BadKey_OverWebSocketOrHttp_ThrowsRelayAuthenticationException()
    {
        await using var relay = await RelayServer.StartAsync(SecuredRelay.Settings);
        await using var refusing = new TcpProxy(relay.HttpBase);
        refusing.DropAllAndRefuse();
        await using var overSocket = new RelayPublisher(ClientOptions.Publisher(relay.WebSocketUri, key: "pk-wrong"));
        var httpOptions = ClientOptions.Publisher(new Uri($"ws://127.0.0.1:{refusing.Port}/"), key: "pk-wrong");
        httpOptions.HttpPublishUri = new Uri(relay.HttpBase, "/publish");
        await using var overHttp = new RelayPublisher(httpOptions);

        var socketError = Assert.ThrowsAsync<RelayAuthenticationException>(() => overSocket.PublishAsync(Frames.Order("m-1001", 1)));
        var httpError = Assert.ThrowsAsync<RelayAuthenticationException>(() => overHttp.PublishAsync(Frames.Order("m-1001", 2)));
        var afterwards = Assert.ThrowsAsync<RelayAuthenticationException>(() => overSocket.PublishAsync(Frames.Order("m-1001", 3)));

        Assert.That(socketError!.Code, Is.EqualTo("auth_failed"));
        Assert.That(socketError.Message, Does.Contain("auth_failed").And.Not.Contain("pk-wrong"));
        Assert.That(httpError!.Message, Does.Contain("HTTP 401"));
        Assert.That(afterwards, Is.Not.Null, "a refused key stops the publisher");
        Assert.That(relay.Relay.LastSeq, Is.Zero);
    }

    [Test]
    public async Task OrderOverTheSizeLimit_ThrowsOrderRejected_OthersStillGoThrough()
    {
        await using var relay = await RelayServer.StartAsync();
        await using var publisher = new RelayPublisher(ClientOptions.Publisher(relay.WebSocketUri));
        var huge = JsonSerializer.Serialize(new Dictionary<string, string> { ["merchant_id"] = "m-1001", ["note"] = new string('x', 70_000) });

        var tooLarge = publisher.PublishAsync(huge, "ord-huge");
        var fine = publisher.PublishAsync(Frames.Order("m-1001", 2), "ord-2");

        var error = Assert.ThrowsAsync<OrderRejectedException>(() => tooLarge);
        Assert.That((error!.Code, error.Id), Is.EqualTo(("too_large", "ord-huge")));
        Assert.That((await fine).Seq, Is.EqualTo(1));
        Assert.ThrowsAsync<ArgumentException>(() => publisher.PublishAsync("[1,2]"), "not an object: refused before sending");
    }

    [Test]
    public async Task OverTheRateLimit_ThrowsRelayBusy_RetryWithTheSameIdSucceeds()
    {
        await using var relay = await RelayServer.StartAsync("Relay:Limits:PublishRatePerSecond=1", "Relay:Limits:PublishBurst=2");
        await using var publisher = new RelayPublisher(ClientOptions.Publisher(relay.WebSocketUri));

        var attempts = Enumerable.Range(1, 20).Select(i => publisher.PublishAsync(Frames.Order("m-1001", i), $"ord-{i}")).ToList();
        var refused = new List<RelayBusyException>();
        foreach (var attempt in attempts)
        {
            try
            {
                await attempt;
            }
            catch (RelayBusyException ex)
            {
                refused.Add(ex);
            }
        }

        Assert.That(refused, Is.Not.Empty);
        Assert.That(refused[0].Code, Is.EqualTo("rate_limited"));
        // The limit refills on the limiter's own timer; nothing announces it.
        var retried = await Eventually.UntilAsync<PublishReceipt?>(async () =>
        {
            try
            {
                return await publisher.PublishAsync(Frames.Order("m-1001", 0), refused[0].Id);
            }
            catch (RelayBusyException)
            {
                return null;
            }
        }, receipt => receipt is not null, "the publish limit to refill", interval: TimeSpan.FromMilliseconds(200));

        Assert.That(retried!.Value.Duplicate, Is.False, "the refused publish had not been stored");
    }

    /// <summary>A publish cancelled before it could be sent is never sent, and its window slot is returned.</summary>
    [Test]
    public async Task CancelledWhileRelayUnreachable_ThrowsAndIsNeverSent()
    {
        await using var relay = await RelayServer.StartAsync();
        await using var network = new TcpProxy(relay.HttpBase);
        network.DropAllAndRefuse();
        var options = ClientOptions.Publisher(new Uri($"ws://127.0.0.1:{network.Port}/"));
        options.HttpFallback = false;
        options.MaxInFlight = 1;
        await using var publisher = new RelayPublisher(options);
        using var cancel = new CancellationTokenSource();

        var cancelled = publisher.PublishAsync(Frames.Order("m-1001", 1), "ord-1", cancel.Token);
        await cancel.CancelAsync();
        Assert.That(async () => await cancelled, Throws.InstanceOf<OperationCanceledException>());
        network.Restore();
        var next = await publisher.PublishAsync(Frames.Order("m-1001", 2), "ord-2");

        Assert.That(next.Seq, Is.EqualTo(1), "the cancelled publish was never sent");
        Assert.That(relay.Relay.LastSeq, Is.EqualTo(1));
    }
}
