using OrderRelay.Tests.Support;

namespace OrderRelay.Tests.Samples;

/// <summary>samples/publisher-csharp, built with the tests and run as its own process against a real relay.</summary>
[CancelAfter(90_000)]
public sealed class CSharpPublisherSampleTests
{
    /// <summary>
    /// Run from the sample's own output folder (built by the reference, same configuration and framework): in the
    /// tests' folder its logging assemblies are left out, since the tests get them from ASP.NET's shared framework.
    /// </summary>
    private static readonly string SampleDll = RepositoryRoot.Combine("samples", "publisher-csharp", "bin",
        new DirectoryInfo(AppContext.BaseDirectory).Parent!.Name, new DirectoryInfo(AppContext.BaseDirectory).Name, "PublisherSample.dll");

    [Test]
    public async Task Sample_PublishesOverWebSocketAndHttp_SubscriberReceivesEachOnce()
    {
        await using var relay = await RelayServer.StartAsync();
        await using var subscriber = await relay.ConnectSubscriberAsync();

        var run = await ExternalProcess.RunAsync("dotnet", [SampleDll, "--relay", relay.WebSocketUri.ToString(), "--count", "2"]);

        Assert.That(run.ExitCode, Is.Zero, run.ToString());
        Assert.That(run.Output, Does.Contain("websocket ord-").And.Contain("http      ord-"));
        var seqs = new List<long>();
        for (var i = 0; i < 3; i++)
        {
            seqs.Add((await subscriber.ReceiveOfTypeAsync("order")).Seq());
        }

        Assert.That(seqs, Is.EqualTo(new long[] { 1, 2, 3 }));
    }

    /// <summary>The relay is unreachable at first (the proxy in front of it refuses); the sample retries the same id until it is stored.</summary>
    [Test]
    public async Task RelayUnreachableAtFirst_SampleRetriesTheSameIdUntilStored()
    {
        await using var relay = await RelayServer.StartAsync();
        await using var network = new TcpProxy(relay.HttpBase);
        await using var subscriber = await relay.ConnectSubscriberAsync();
        network.DropAllAndRefuse();
        var retrying = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        var running = ExternalProcess.RunAsync("dotnet", [SampleDll, "--relay", $"ws://127.0.0.1:{network.Port}/", "--count", "1"],
            onErrorLine: line =>
            {
                if (line.Contains("retrying with the same ids", StringComparison.Ordinal))
                {
                    retrying.TrySetResult();
                }
            });
        await retrying.Task.WaitAsync(TimeSpan.FromSeconds(30));
        network.Restore();
        var run = await running;

        Assert.That(run.ExitCode, Is.Zero, run.ToString());
        var order = await subscriber.ReceiveOfTypeAsync("order");
        Assert.That(order.GetProperty("order").GetProperty("customer_name").GetString(), Is.EqualTo("张三"));
        Assert.That(relay.Relay.LastSeq, Is.EqualTo(2), "one order over WebSocket, one over HTTP, nothing twice");
    }
}
