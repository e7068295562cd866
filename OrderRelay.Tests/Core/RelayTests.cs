using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using OrderRelay.Configuration;
using OrderRelay.Core;
using OrderRelay.Diagnostics;
using OrderRelay.Protocol;
using OrderRelay.Storage;
using OrderRelay.Tests.Support;

namespace OrderRelay.Tests.Core;

/// <summary>The relay core without sockets: subscribers are bare queues.</summary>
[CancelAfter(30_000)]
public sealed class RelayTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);

    [Test]
    public async Task Publish_FansOutTheSameEncodedRecordToEveryEntitledSubscriber()
    {
        await using var relay = await StartRelayAsync();
        var everything = await LiveSubscriberAsync(relay, MerchantFilter.Everything);
        var m1 = await LiveSubscriberAsync(relay, MerchantFilter.For(["m-1"]));
        var m2 = await LiveSubscriberAsync(relay, MerchantFilter.For(["m-2"]));

        var outcome = await PublishAsync(relay, "m-1");

        var toEverything = await NextOrderAsync(everything);
        var toM1 = await NextOrderAsync(m1);
        Assert.That(outcome, Is.EqualTo(new PublishOutcome(1, false)));
        Assert.That(toM1, Is.SameAs(toEverything), "one encoding per order, shared by all subscribers");
        Assert.That(m2.Queue.Count, Is.Zero);
    }

    [Test]
    public async Task FullQueue_SignalsOverflowAndStopsFanningOutToThatSubscriber()
    {
        await using var relay = await StartRelayAsync();
        var overflowed = new TaskCompletionSource();
        var slow = await LiveSubscriberAsync(relay, MerchantFilter.Everything, queueLimit: 2, () => overflowed.TrySetResult());

        for (var i = 0; i < 3; i++)
        {
            await PublishAsync(relay, "m-1");
        }

        await overflowed.Task.WaitAsync(Wait);
        while (slow.TryRead(out _))
        {
        }

        await PublishAsync(relay, "m-1");
        Assert.That(slow.Queue.Count, Is.Zero, "a dropped subscriber is no longer fanned out to");
    }

    [Test]
    public async Task CaughtUpSubscriberWithAFullQueue_GoesLiveAtOnceAndOverflowsOnTheNextOrder()
    {
        await using var relay = await StartRelayAsync();
        await PublishAsync(relay, "m-1");
        var overflowed = new TaskCompletionSource();
        var queue = new OutboundQueue(2, () => overflowed.TrySetResult());
        queue.TryEnqueue(new ControlFrame("{}"u8.ToArray()));
        queue.TryEnqueue(new ControlFrame("{}"u8.ToArray()));
        var subscriber = new Subscriber("c-full", MerchantFilter.For(["m-1"]), queue);

        var goingLive = relay.CatchUpAndGoLiveAsync(subscriber, relay.LastSeq, isResume: true, CancellationToken.None);

        Assert.That(goingLive.IsCompletedSuccessfully, Is.True, "nothing to catch up: live at once, without waiting for room");
        Assert.That((await relay.GetMerchantStatusAsync("m-1", CancellationToken.None)).Online, Is.EqualTo(1));
        Assert.That(overflowed.Task.IsCompleted, Is.False, "going live queues nothing");
        await PublishAsync(relay, "m-1");
        await overflowed.Task.WaitAsync(Wait);
        Assert.That((await relay.GetMerchantStatusAsync("m-1", CancellationToken.None)).Online, Is.Zero, "the overflowed subscriber left fan-out");
        Assert.That(queue.Count, Is.EqualTo(2), "the order that did not fit was not squeezed in");
    }

    [Test]
    public async Task CatchUpIntoAClosedQueue_EndsInsteadOfWaiting()
    {
        await using var relay = await StartRelayAsync(queueLimit: 4);
        for (var i = 0; i < 10; i++)
        {
            await PublishAsync(relay, "m-1");
        }

        var queue = new OutboundQueue(4);
        queue.Complete();

        await relay.CatchUpAndGoLiveAsync(new Subscriber("c-gone", MerchantFilter.For(["m-1"]), queue), 0, isResume: true, CancellationToken.None).WaitAsync(Wait);

        Assert.That(queue.Count, Is.Zero, "a closed queue takes nothing");
        Assert.That((await relay.GetMerchantStatusAsync("m-1", CancellationToken.None)).Online, Is.Zero, "a subscriber whose connection is gone never goes live");
    }

    [Test]
    public async Task CatchUpRacingPublishes_EverySubscriberGetsEachOrderOnceInOrder()
    {
        const int total = 20_000;
        await using var relay = await StartRelayAsync(queueLimit: 64);
        var publishing = Task.Run(async () =>
        {
            for (var i = 0; i < total; i++)
            {
                await relay.SubmitAsync(new PublishRequest(null, $"m-{i % 3}", "{}"u8.ToArray()), CancellationToken.None);
            }
        });

        var readers = Enumerable.Range(0, 4).Select(_ => Task.Run(async () =>
        {
            var seen = new List<long>();
            while (seen.Count < total)
            {
                // Each round starts from the last order seen, as a reconnecting client would.
                var overflowed = new TaskCompletionSource();
                var queue = new QueueReader(64, () => overflowed.TrySetResult());
                var subscriber = new Subscriber("c-test", MerchantFilter.Everything, queue.Queue);
                var catchUp = relay.CatchUpAndGoLiveAsync(subscriber, seen.Count == 0 ? 0 : seen[^1], isResume: true, CancellationToken.None);
                // A round ends after a while, or when the relay dropped this slow reader (the
                // publisher outpaces it on purpose) and what was queued before has been read.
                for (var read = 0; read < 500 && seen.Count < total;)
                {
                    if (queue.TryRead(out var frame))
                    {
                        seen.Add(((OrderRecord)frame).Seq);
                        read++;
                    }
                    else if (overflowed.Task.IsCompleted)
                    {
                        break;
                    }
                    else
                    {
                        await Task.WhenAny(queue.WaitToReadAsync(), overflowed.Task).WaitAsync(Wait);
                    }
                }

                queue.Queue.Complete();
                await catchUp.WaitAsync(Wait);
                relay.Unsubscribe(subscriber);
            }

            return seen;
        })).ToArray();

        await publishing;
        foreach (var seen in await Task.WhenAll(readers))
        {
            Assert.That(seen, Is.EqualTo(Enumerable.Range(1, total).Select(s => (long)s)));
        }
    }

    [Test]
    public async Task StoreOutageOfManyBatches_LoggedOnceAsItStartsAndOnceAsItEnds()
    {
        var store = new SwitchableStore();
        var log = new RecordingLogger<Relay>();
        await using var relay = await StartRelayAsync(store: store, logger: log);

        store.Failing = true;
        for (var i = 0; i < 5; i++)
        {
            Assert.ThrowsAsync<PublishFailedException>(() => PublishAsync(relay, "m-1"));
        }

        store.Failing = false;
        await PublishAsync(relay, "m-1");
        await PublishAsync(relay, "m-1");

        var outage = log.Entries.Where(entry => entry.EventId is 101 or 104).ToList();
        Assert.That(outage.Select(entry => entry.Level), Is.EqualTo(new[] { LogLevel.Error, LogLevel.Warning }));
        Assert.That(outage[1].Message, Does.Contain("5 publishes were refused"));
    }

    [Test]
    public async Task StoreFailure_FailsTheBatchWithStoreUnavailableAndLaterPublishesSucceed()
    {
        var store = new SwitchableStore();
        await using var relay = await StartRelayAsync(store: store);
        var subscriber = await LiveSubscriberAsync(relay, MerchantFilter.Everything);

        store.Failing = true;
        var failure = Assert.ThrowsAsync<PublishFailedException>(() => PublishAsync(relay, "m-1"));
        store.Failing = false;
        var outcome = await PublishAsync(relay, "m-1");

        Assert.That(failure!.ErrorCode, Is.EqualTo(ErrorCodes.StoreUnavailable));
        Assert.That(outcome.Seq, Is.EqualTo(1), "the failed publish took no seq");
        Assert.That((await NextOrderAsync(subscriber)).Seq, Is.EqualTo(1), "the failed publish was not delivered");
    }

    [Test]
    public async Task Stop_AnswersQueuedPublishesAndRefusesNewOnes()
    {
        var relay = await StartRelayAsync();
        var queued = Enumerable.Range(0, 100).Select(_ => new PublishRequest(null, "m-1", "{}"u8.ToArray())).ToArray();
        foreach (var request in queued)
        {
            await relay.SubmitAsync(request, CancellationToken.None);
        }

        await relay.StopAsync().WaitAsync(Wait);

        Assert.That(queued.All(request => request.Task.IsCompletedSuccessfully), Is.True);
        var refused = Assert.ThrowsAsync<PublishFailedException>(() => relay.SubmitAsync(new PublishRequest(null, null, "{}"u8.ToArray()), CancellationToken.None).AsTask());
        Assert.That(refused!.ErrorCode, Is.EqualTo(ErrorCodes.ServerShutdown));
    }

    [Test]
    public async Task PlanSubscription_RecoveredReflectsEpochAndHistory()
    {
        await using var relay = await StartRelayAsync(historyLimit: 3);
        for (var i = 0; i < 5; i++)
        {
            await PublishAsync(relay, "m-1");
        }

        Assert.Multiple(() =>
        {
            Assert.That(relay.PlanSubscription(null, null), Is.EqualTo(new SubscriptionStart(5, true, 5, false)));
            Assert.That(relay.PlanSubscription(2, relay.Epoch), Is.EqualTo(new SubscriptionStart(5, true, 2, true)));
            Assert.That(relay.PlanSubscription(1, null), Is.EqualTo(new SubscriptionStart(5, false, 1, true)));
            Assert.That(relay.PlanSubscription(4, "e-other"), Is.EqualTo(new SubscriptionStart(5, false, 0, true)));
            Assert.That(relay.PlanSubscription(6, null), Is.EqualTo(new SubscriptionStart(5, false, 0, true)));
        });
    }

    private static async Task<Relay> StartRelayAsync(int queueLimit = 1024, int historyLimit = 100_000, IOrderStore? store = null,
        ILogger<Relay>? logger = null)
    {
        var options = new RelayOptions { SubscriberQueueLimit = queueLimit, HistoryLimit = historyLimit };
        var relay = new Relay(store ?? new MemoryOrderStore(historyLimit, options.MerchantLimit), options, new RelayMetrics(),
            logger ?? NullLogger<Relay>.Instance, TimeProvider.System);
        await relay.StartAsync(CancellationToken.None);
        return relay;
    }

    /// <summary>A live subscriber as the test reads it: its queue's reader.</summary>
    private static async Task<QueueReader> LiveSubscriberAsync(Relay relay, MerchantFilter filter, int queueLimit = 1024, Action? overflowed = null)
    {
        var reader = new QueueReader(queueLimit, overflowed);
        var subscriber = new Subscriber("c-test", filter, reader.Queue);
        await relay.CatchUpAndGoLiveAsync(subscriber, relay.LastSeq, isResume: false, CancellationToken.None).WaitAsync(Wait);
        return reader;
    }

    private static async Task<PublishOutcome> PublishAsync(Relay relay, string merchantId)
    {
        var request = new PublishRequest(null, merchantId, """{"x":1}"""u8.ToArray());
        await relay.SubmitAsync(request, CancellationToken.None);
        return await request.Task.WaitAsync(Wait);
    }

    private static async Task<OrderRecord> NextOrderAsync(QueueReader subscriber) =>
        (OrderRecord)await subscriber.ReadAsync().WaitAsync(Wait);

    /// <summary>The memory store with a switch that makes appends fail, as a full disk would.</summary>
    private sealed class SwitchableStore() : IOrderStore
    {
        private readonly MemoryOrderStore _inner = new(1000, 1000);

        public bool Failing { get; set; }

        public long FirstRetainedSeq => _inner.FirstRetainedSeq;

        public ValueTask<JournalState> OpenAsync(CancellationToken cancellationToken) => _inner.OpenAsync(cancellationToken);

        public ValueTask AppendAsync(IReadOnlyList<JournalEntry> entries, DateTimeOffset acceptedAt, AppendResult[] results, CancellationToken cancellationToken) =>
            Failing ? throw new IOException("disk full") : _inner.AppendAsync(entries, acceptedAt, results, cancellationToken);

        public ValueTask<ReplayPage> ReadAfterAsync(long afterSeq, MerchantFilter filter, int maxCount, CancellationToken cancellationToken) =>
            _inner.ReadAfterAsync(afterSeq, filter, maxCount, cancellationToken);

        public ValueTask RecordConfirmationAsync(string merchantId, long seq, DateTimeOffset confirmedAt, CancellationToken cancellationToken) =>
            _inner.RecordConfirmationAsync(merchantId, seq, confirmedAt, cancellationToken);

        public ValueTask<MerchantConfirmation?> GetConfirmationAsync(string merchantId, CancellationToken cancellationToken) =>
            _inner.GetConfirmationAsync(merchantId, cancellationToken);

        public ValueTask<bool> IsHealthyAsync(CancellationToken cancellationToken) => ValueTask.FromResult(!Failing);

        public ValueTask DisposeAsync() => _inner.DisposeAsync();
    }
}
