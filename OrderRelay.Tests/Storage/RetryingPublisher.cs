using System.Diagnostics;
using OrderRelay.Tests.Support;

namespace OrderRelay.Tests.Storage;

/// <summary>
/// A publisher as a well-behaved client runs it through a Redis failover: one order after
/// another, each with its own idempotency id, retrying a <c>store_unavailable</c> with the
/// same id until it is acked. Records every ack and how long each answer took.
/// </summary>
internal sealed class RetryingPublisher(WsClient client, string name, Stopwatch clock)
{
    private static readonly TimeSpan RetryPause = TimeSpan.FromMilliseconds(100);

    private readonly Lock _gate = new();
    private readonly List<AckedOrder> _acked = [];
    private TaskCompletionSource _progress = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>The merchants orders go to, in turn.</summary>
    public static readonly string[] Merchants = ["m-0", "m-1", "m-2"];

    public IReadOnlyList<AckedOrder> Acked
    {
        get
        {
            lock (_gate)
            {
                return [.. _acked];
            }
        }
    }

    public int Refused { get; private set; }

    /// <summary>The longest any publish waited for its answer, ack or refusal.</summary>
    public TimeSpan LongestWait { get; private set; }

    /// <summary>Publishes until <paramref name="stop"/>; an order being retried then is left unacked.</summary>
    public async Task RunAsync(CancellationToken stop)
    {
        for (var i = 0; !stop.IsCancellationRequested; i++)
        {
            var merchant = Merchants[i % Merchants.Length];
            var id = $"{name}-{i}";
            while (!stop.IsCancellationRequested)
            {
                var sent = clock.Elapsed;
                var answer = await client.PublishAsync(Frames.Order(merchant, i), id);
                var answered = clock.Elapsed;
                LongestWait = answered - sent > LongestWait ? answered - sent : LongestWait;
                if (answer.Type() == "ack")
                {
                    Record(new AckedOrder(answer.Seq(), merchant, sent, answered));
                    break;
                }

                Assert.That(answer.Code(), Is.EqualTo("store_unavailable"), answer.ToString());
                Refused++;
                await Task.Delay(RetryPause, CancellationToken.None);
            }
        }
    }

    /// <summary>Waits (without polling) until <paramref name="condition"/> holds over the acks so far.</summary>
    public async Task WaitUntilAsync(Func<IReadOnlyList<AckedOrder>, bool> condition)
    {
        while (true)
        {
            Task progress;
            lock (_gate)
            {
                progress = _progress.Task;
            }

            if (condition(Acked))
            {
                return;
            }

            await progress;
        }
    }

    private void Record(AckedOrder order)
    {
        TaskCompletionSource progress;
        lock (_gate)
        {
            _acked.Add(order);
            progress = _progress;
            _progress = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        progress.SetResult();
    }
}

/// <param name="Sent">When the attempt that was acked was sent (after any refused ones).</param>
internal sealed record AckedOrder(long Seq, string MerchantId, TimeSpan Sent, TimeSpan Acked);
