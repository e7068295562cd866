using System.Diagnostics;
using System.Net;
using OrderRelay.Tests.Support;

namespace OrderRelay.Tests.Storage;

/// <summary>
/// Redis gone or hung under two relay nodes: health checks and publishers are answered
/// promptly, with 503 and store_unavailable, never left waiting, and nothing is acked that
/// Redis did not take.
/// </summary>
[CancelAfter(120_000)]
public sealed class RedisOutageTests : RedisNodesTests
{
    /// <summary><c>Relay:Redis:OperationTimeout</c> in these tests, and the margin a loaded machine needs on top.</summary>
    private static readonly TimeSpan OperationTimeout = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan Margin = TimeSpan.FromSeconds(1.5);

    [Test]
    public async Task RedisKilled_EveryNodesHealthAnswers503WithinASecond_AndPublishesAreRefusedAtOnce()
    {
        await using var a = await Cluster.StartNodeAsync($"Relay:Redis:OperationTimeout={OperationTimeout}");
        await using var b = await Cluster.StartNodeAsync($"Relay:Redis:OperationTimeout={OperationTimeout}");
        await using var publisher = await b.ConnectPublisherAsync();
        Assert.That((await publisher.PublishAsync(Frames.Order("m-1", 1), id: "before")).Type(), Is.EqualTo("ack"));

        await Cluster.Redis.KillAsync();

        await a.WaitForHealthAsync(HttpStatusCode.ServiceUnavailable);
        await b.WaitForHealthAsync(HttpStatusCode.ServiceUnavailable);
        var (answer, took) = await TimedAsync(() => publisher.PublishAsync(Frames.Order("m-1", 2), id: "during"));
        Assert.That(answer.Code(), Is.EqualTo("store_unavailable"));
        Assert.That(took, Is.LessThan(OperationTimeout + Margin));
        using var http = await PublishOverHttpAsync(a, "during-http");
        Assert.That(http.StatusCode, Is.EqualTo(HttpStatusCode.ServiceUnavailable));
        Assert.That(http.Headers.RetryAfter?.Delta, Is.EqualTo(TimeSpan.FromSeconds(2)));

        await Cluster.Redis.RestartAsync();

        await a.WaitForHealthAsync(HttpStatusCode.OK);
        await b.WaitForHealthAsync(HttpStatusCode.OK);
        Assert.That((await publisher.PublishAsync(Frames.Order("m-1", 2), id: "during")).Seq(), Is.EqualTo(2), "the refused publish took no seq");
    }

    [Test]
    public async Task RedisHung_PublishesAnsweredStoreUnavailableWithinTheOperationTimeout_HealthStaysPrompt()
    {
        await using var a = await Cluster.StartNodeAsync($"Relay:Redis:OperationTimeout={OperationTimeout}");
        await using var publisher = await a.ConnectPublisherAsync();
        await using var subscriber = await a.ConnectSubscriberAsync();
        Assert.That((await publisher.PublishAsync(Frames.Order("m-1", 1), id: "before")).Type(), Is.EqualTo("ack"));
        await subscriber.ReceiveAsync();

        await Cluster.Redis.PauseAsync();

        var (first, firstTook) = await TimedAsync(() => publisher.PublishAsync(Frames.Order("m-1", 2), id: "hung-1"));
        var (second, secondTook) = await TimedAsync(() => publisher.PublishAsync(Frames.Order("m-1", 3), id: "hung-2"));
        await a.WaitForHealthAsync(HttpStatusCode.ServiceUnavailable);
        Assert.That(first.Code(), Is.EqualTo("store_unavailable"));
        Assert.That(second.Code(), Is.EqualTo("store_unavailable"));
        Assert.That(firstTook, Is.LessThan(OperationTimeout + Margin));
        Assert.That(secondTook, Is.LessThan(OperationTimeout + Margin));

        await Cluster.Redis.ResumeAsync();

        await a.WaitForHealthAsync(HttpStatusCode.OK);
        // Redis may have run the scripts it held once it woke: a retry with the same id is safe
        // either way, and the subscriber gets each order once.
        var retried = await publisher.PublishUntilAckedAsync(Frames.Order("m-1", 2), "hung-1");
        var next = await subscriber.ReceiveAsync();
        Assert.That(retried.Seq(), Is.EqualTo(2), "hung-1 has seq 2, whether Redis ran the held script or took the retry");
        Assert.That(next.Seq(), Is.EqualTo(2));
        Assert.That(next.GetProperty("order").GetProperty("order_id").GetInt32(), Is.EqualTo(2));
    }

    private static async Task<HttpResponseMessage> PublishOverHttpAsync(RelayServer node, string idempotencyKey)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/publish") { Content = new StringContent(Frames.Order("m-1", 9)) };
        request.Headers.Add("Idempotency-Key", idempotencyKey);
        var started = Stopwatch.StartNew();
        var response = await node.Http.SendAsync(request);
        Assert.That(started.Elapsed, Is.LessThan(OperationTimeout + Margin));
        return response;
    }

    private static async Task<(T Result, TimeSpan Took)> TimedAsync<T>(Func<Task<T>> action)
    {
        var started = Stopwatch.StartNew();
        var result = await action();
        return (result, started.Elapsed);
    }

}
