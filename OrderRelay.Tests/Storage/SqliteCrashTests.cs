using System.Collections.Concurrent;
using System.Text.Json;
using OrderRelay.Tests.Support;

namespace OrderRelay.Tests.Storage;

/// <summary>The relay as a child process on a real journal file: SIGKILL under load, and start-up refusals.</summary>
[CancelAfter(120_000)]
public sealed class SqliteCrashTests : JournalDirectoryTests
{
    private const int InFlight = 64;
    private const int AcksBeforeKill = 3_000;

    [Test]
    public async Task KilledWhilePublishing_EveryAckedOrderReplayedOnceAfterRestart()
    {
        var acked = new ConcurrentDictionary<int, long>();
        string epoch;
        await using (var relay = await StartRelayAsync())
        {
            await using var publisher = await WsClient.ConnectAsync(relay.WebSocketUri);
            epoch = (await publisher.HelloAsync("""{"type":"hello","role":"publisher"}""")).GetProperty("epoch").GetString()!;
            var enoughAcked = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var publishing = PublishAtFullSpeedAsync(publisher, acked, enoughAcked);
            await enoughAcked.Task.WaitAsync(TimeSpan.FromSeconds(60));
            await relay.KillAsync();
            await publishing;
        }

        await using var restarted = await StartRelayAsync();
        await using var subscriber = await WsClient.ConnectAsync(restarted.WebSocketUri);
        var welcome = await subscriber.HelloAsync("""{"type":"hello","role":"subscriber","since":0}""");
        var replayed = new List<(long Seq, int OrderId)>();
        while (replayed.Count < welcome.Seq())
        {
            var order = await subscriber.ReceiveOfTypeAsync("order");
            replayed.Add((order.Seq(), order.GetProperty("order").GetProperty("order_id").GetInt32()));
        }

        var seqByOrderId = replayed.ToDictionary(order => order.OrderId, order => order.Seq);
        Assert.Multiple(() =>
        {
            Assert.That(welcome.GetProperty("epoch").GetString(), Is.EqualTo(epoch));
            Assert.That(acked, Has.Count.GreaterThanOrEqualTo(AcksBeforeKill));
            Assert.That(replayed.Select(order => order.Seq), Is.EqualTo(Enumerable.Range(1, replayed.Count).Select(i => (long)i)),
                "seqs are gap-free and each replayed once");
            Assert.That(acked.Where(ack => !seqByOrderId.TryGetValue(ack.Key, out var seq) || seq != ack.Value), Is.Empty,
                "every acknowledged order is replayed with its acknowledged seq");
        });
    }

    [Test]
    public async Task CorruptJournal_ExitCode2NamingPath()
    {
        await File.WriteAllTextAsync(DatabasePath, new string('x', 4096));

        var (exitCode, stderr) = await RelayProcess.RunToExitInAsync(Directory.Path, "Relay:Sqlite:Path=journal.db");

        Assert.That(exitCode, Is.EqualTo(2));
        Assert.That(stderr, Does.Contain("OrderRelay cannot start").And.Contain(DatabasePath));
    }

    [Test]
    public async Task DefaultSettings_JournalCreatedUnderWorkingDirectory()
    {
        await using (await RelayProcess.StartInAsync(Directory.Path))
        {
            Assert.That(File.Exists(Path.Combine(Directory.Path, "data", "orderrelay.db")), Is.True);
        }
    }

    private Task<RelayProcess> StartRelayAsync() =>
        RelayProcess.StartInAsync(Directory.Path, "Relay:Store=sqlite", "Relay:Sqlite:Path=" + DatabasePath, "Serilog:MinimumLevel:Default=Warning",
            "Serilog:MinimumLevel:Override:Microsoft.Hosting.Lifetime=Information");

    /// <summary>
    /// Publishes with up to <see cref="InFlight"/> unanswered, recording each ack, until the socket
    /// dies under it; signals once <see cref="AcksBeforeKill"/> acks have arrived.
    /// </summary>
    private static async Task PublishAtFullSpeedAsync(WsClient publisher, ConcurrentDictionary<int, long> acked, TaskCompletionSource enoughAcked)
    {
        using var window = new SemaphoreSlim(InFlight, InFlight);
        using var stopSending = new CancellationTokenSource();
        var sending = Task.Run(async () =>
        {
            for (var orderId = 1; ; orderId++)
            {
                await window.WaitAsync(stopSending.Token);
                await publisher.SendPublishAsync(Frames.Order("m-" + (orderId % 5), orderId), "ord-" + orderId);
            }
        }, CancellationToken.None);
        try
        {
            while (true)
            {
                var ack = await publisher.ReceiveAsync();
                Assert.That(ack.Type(), Is.EqualTo("ack"), ack.ToString());
                acked[int.Parse(ack.GetProperty("id").GetString()!["ord-".Length..], System.Globalization.CultureInfo.InvariantCulture)] = ack.Seq();
                window.Release();
                if (acked.Count == AcksBeforeKill)
                {
                    enoughAcked.TrySetResult();
                }
            }
        }
        catch (Exception ex) when (ex is System.Net.WebSockets.WebSocketException or AssertionException or OperationCanceledException or JsonException)
        {
            // The relay was killed: the socket fails or closes under the publisher.
        }

        await stopSending.CancelAsync();
        // The sender ends one way or another (cancelled, or its socket failed); how does not matter.
        await sending.ContinueWith(_ => { }, TaskScheduler.Default).WaitAsync(WsClient.DefaultWait * 2);
    }
}
