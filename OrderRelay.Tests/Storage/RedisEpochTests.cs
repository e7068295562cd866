using System.Net.WebSockets;
using OrderRelay.Storage;
using OrderRelay.Tests.Support;
using StackExchange.Redis;

namespace OrderRelay.Tests.Storage;

/// <summary>
/// Redis losing data under a cluster: detected, a new epoch agreed by all nodes, every
/// subscriber told, nobody welcomed with recovered:true for a sequence that was not continued.
/// </summary>
[CancelAfter(120_000)]
public sealed class RedisEpochTests : RedisNodesTests
{
    [Test]
    public async Task RedisBackWithoutItsData_EveryNodeTellsItsSubscribers_WhoComeBackNotRecovered_AndOrdersFlowAgain()
    {
        var logDirectory = Directory.CreateTempSubdirectory("orderrelay-log-");
        var a = await Cluster.StartNodeAsync($"Relay:LogFile={Path.Combine(logDirectory.FullName, "relay.log")}");
        var oldEpoch = a.Relay.Epoch;
        string newEpoch;
        try
        {
            await using var b = await Cluster.StartNodeAsync();
            await using var onA = await a.ConnectSubscriberAsync();
            await using var onB = await b.ConnectSubscriberAsync("""{"type":"hello","role":"subscriber","merchants":["m-1"]}""");
            await using var publisher = await a.ConnectPublisherAsync();
            for (var i = 1; i <= 3; i++)
            {
                await publisher.PublishAsync(Frames.Order("m-1", i), id: $"old-{i}");
            }

            Assert.That(await onA.ReceiveOrderSeqsAsync(3), Is.EqualTo(new long[] { 1, 2, 3 }));
            Assert.That(await onB.ReceiveOrderSeqsAsync(3), Is.EqualTo(new long[] { 1, 2, 3 }));

            await Cluster.Redis.RestartEmptyAsync();

            // Nobody publishes: the feeds notice by themselves.
            await onA.ExpectErrorThenCloseAsync("epoch_changed", (WebSocketCloseStatus)1013);
            await onB.ExpectErrorThenCloseAsync("epoch_changed", (WebSocketCloseStatus)1013);
            Assert.That(a.Relay.Epoch, Is.Not.EqualTo(oldEpoch).And.EqualTo(b.Relay.Epoch), "one new epoch for the cluster");
            await using var backOnB = await b.ConnectSubscriberAsync($$"""{"type":"hello","role":"subscriber","merchants":["m-1"],"since":3,"epoch":"{{oldEpoch}}"}""");
            Assert.That(backOnB.Welcome.GetProperty("recovered").GetBoolean(), Is.False);
            Assert.That(backOnB.Welcome.GetProperty("epoch").GetString(), Is.EqualTo(b.Relay.Epoch));

            var retried = await publisher.PublishUntilAckedAsync(Frames.Order("m-1", 4), "new-1");
            Assert.That(retried.Seq(), Is.EqualTo(1), "the new epoch counts from 1");
            Assert.That((await backOnB.ReceiveAsync()).Seq(), Is.EqualTo(1));
            newEpoch = a.Relay.Epoch;
        }
        finally
        {
            await a.DisposeAsync();
        }

        var log = string.Concat(logDirectory.GetFiles().Select(file => File.ReadAllText(file.FullName)));
        logDirectory.Delete(recursive: true);
        Assert.That(log, Does.Contain("\"OldEpoch\":\"" + oldEpoch).And.Contain("\"NewEpoch\":\"" + newEpoch).And.Contain("\"LastSeqSeen\":3"));
    }

    [Test]
    public async Task RedisRestoredFromAnOlderCopy_SeqBehindWhatNodesSaw_NewEpochInsteadOfReusingSeqs()
    {
        await using var a = await Cluster.StartNodeAsync();
        var oldEpoch = a.Relay.Epoch;
        await using var subscriber = await a.ConnectSubscriberAsync();
        await using var publisher = await a.ConnectPublisherAsync();
        for (var i = 1; i <= 5; i++)
        {
            await publisher.PublishAsync(Frames.Order("m-1", i), id: $"o-{i}");
        }

        Assert.That(await subscriber.ReceiveOrderSeqsAsync(5), Has.Length.EqualTo(5));

        // What an older snapshot or a lagging replica holds: the same epoch, orders 1 and 2 only.
        await using (var redis = await ConnectionMultiplexer.ConnectAsync(Cluster.Redis.Configuration))
        {
            var database = redis.GetDatabase();
            await database.StringSetAsync(Cluster.Prefix + "seq", 2);
            await database.StreamDeleteAsync(Cluster.Prefix + "orders", ["3-0", "4-0", "5-0"]);
        }

        await subscriber.ExpectErrorThenCloseAsync("epoch_changed", (WebSocketCloseStatus)1013);
        var next = await publisher.PublishUntilAckedAsync(Frames.Order("m-1", 6), "o-6");
        Assert.That(a.Relay.Epoch, Is.Not.EqualTo(oldEpoch));
        Assert.That(next.Seq(), Is.EqualTo(1), "seq 3 is never handed out twice in the old epoch");
        await using var back = await a.ConnectSubscriberAsync($$"""{"type":"hello","role":"subscriber","since":5,"epoch":"{{oldEpoch}}"}""");
        Assert.That(back.Welcome.GetProperty("recovered").GetBoolean(), Is.False);
    }

    [TestCase("epoch-missing", TestName = "AppendScript_EpochMissing_RefusesAndAppendsNothing")]
    [TestCase("other-epoch", TestName = "AppendScript_AnotherEpoch_RefusesAndAppendsNothing")]
    [TestCase("seq-behind-stream", TestName = "AppendScript_SeqBehindTheStream_RefusesAndAppendsNothing")]
    [TestCase("seq-behind-node", TestName = "AppendScript_SeqBehindWhatTheNodeSaw_RefusesAndAppendsNothing")]
    [TestCase("consistent", TestName = "AppendScript_JournalAsTheNodeKnowsIt_Appends")]
    public async Task AppendScript_RefusesWhenTheJournalLostOrders(string state)
    {
        await using var redis = await ConnectionMultiplexer.ConnectAsync(Cluster.Redis.Configuration);
        var database = redis.GetDatabase();
        RedisKey seq = Cluster.Prefix + "seq", stream = Cluster.Prefix + "orders", epoch = Cluster.Prefix + "epoch";
        await database.StringSetAsync(seq, 7);
        await database.StreamAddAsync(stream, [new NameValueEntry("o", "{}")], messageId: "7-0");
        await database.StringSetAsync(epoch, "e-known");
        var nodeSaw = 7L;
        switch (state)
        {
            case "epoch-missing":
                await database.KeyDeleteAsync(epoch);
                break;
            case "other-epoch":
                await database.StringSetAsync(epoch, "e-other");
                break;
            case "seq-behind-stream":
                await database.StringSetAsync(seq, 6);
                nodeSaw = 6;
                break;
            case "seq-behind-node":
                nodeSaw = 9;
                break;
        }

        var answer = await database.ScriptEvaluateAsync(RedisScripts.Append, [seq, stream, epoch, Cluster.Prefix + "escalations", Cluster.Prefix + "escalation-ages"],
            [Cluster.Prefix + "key:e-known:", 60, 1000, 0, Cluster.Prefix + "new-orders", "e-known", nodeSaw, Cluster.Prefix + "t:e-known:", 0, 100,
                "", "m-1", "{}", "", 0]);

        if (state == "consistent")
        {
            // The new seq, then how many orders got no escalation (none: escalation is off).
            Assert.That((long[])answer!, Is.EqualTo(new long[] { 8, 0 }));
            return;
        }

        Assert.That(answer.ToString(), Is.EqualTo(RedisScripts.JournalLost));
        Assert.That(await database.StreamLengthAsync(stream), Is.EqualTo(1), "nothing appended");
    }

}
