using System.Collections.Concurrent;
using System.Text.Json;
using Microsoft.Playwright;
using OrderRelay.Tests.Support;

namespace OrderRelay.Tests.Browser;

/// <summary>
/// clients/js, the browser client package, on its own in Chromium: imported as an ES module
/// from the path the relay serves it at, driven through its public API, with every frame
/// it sends recorded on the way out.
/// </summary>
[CancelAfter(60_000)]
[NonParallelizable]
public sealed class RelayClientModuleTests : ProfileTests
{
    /// <summary>Starts a RelayClient in the page; what it reports lands in window.events.</summary>
    private const string StartClient = """
        async ([url, resumeFrom]) => {
          const { RelayClient } = await import("/clients/js/index.js");
          window.events = [];
          const record = (kind, value) => window.events.push({ kind, value: JSON.stringify(value) });
          window.client = new RelayClient({
            url,
            resumeFrom,
            onState: (state, detail) => record("state", { state, detail }),
            onWelcome: (frame, info) => record("welcome", info),
            onOrder: (frame, position) => record("order", { seq: frame.seq, position }),
            onAccepted: (frame) => record("accepted", frame),
            onError: (frame, info) => record("error", { code: frame.code, abandoned: info.abandonedAccepts }),
          });
          window.client.start();
        }
        """;


    [Test]
    public async Task ResumeFrom_SentAsSinceAndEpochAndOnlyLaterOrdersDeliveredEachAcked()
    {
        await using var relay = await RelayServer.StartAsync();
        var first = await MerchantPage.PublishAsync(relay, 1);
        var second = await MerchantPage.PublishAsync(relay, 2);
        var third = await MerchantPage.PublishAsync(relay, 3);
        string epoch;
        await using (var probe = await relay.ConnectSubscriberAsync())
        {
            epoch = probe.Welcome.GetProperty("epoch").GetString()!;
        }
        var client = await OpenAsync(relay);

        await client.StartAsync(relay.WebSocketUri, new { epoch, since = first });
        await client.WaitForAsync("order", 2);

        Assert.That(client.Sent.First(), Does.Contain($"\"since\":{first}").And.Contain($"\"epoch\":\"{epoch}\""));
        Assert.That(await client.ValuesAsync("order"), Is.EqualTo(new[]
        {
            $$$"""{"seq":{{{second}}},"position":{"epoch":"{{{epoch}}}","since":{{{second}}}}}""",
            $$$"""{"seq":{{{third}}},"position":{"epoch":"{{{epoch}}}","since":{{{third}}}}}""",
        }));
        Assert.That((await client.ValuesAsync("welcome")).Single(), Does.Contain("\"resumed\":true,\"recovered\":true"));
        await client.WaitForSentAsync(frame => frame == $$"""{"type":"ack","seq":{{third}}}""");
        Assert.That(client.Sent.Where(frame => frame.Contains("\"ack\"", StringComparison.Ordinal)),
            Is.EqualTo(new[] { $$"""{"type":"ack","seq":{{second}}}""", $$"""{"type":"ack","seq":{{third}}}""" }));
    }

    /// <summary>The network drops; orders published meanwhile arrive once after the reconnection, which resumes from the last seq taken.</summary>
    [Test]
    public async Task NetworkDrop_ReconnectsByItselfWithSinceOfTheLastOrderTaken()
    {
        await using var relay = await RelayServer.StartAsync();
        await using var network = new TcpProxy(relay.HttpBase);
        var client = await OpenAsync(relay);
        await client.StartAsync(new Uri($"ws://127.0.0.1:{network.Port}/"), null);
        await client.WaitForAsync("welcome", 1);
        var before = await MerchantPage.PublishAsync(relay, 1);
        await client.WaitForAsync("order", 1);

        network.DropAllAndRefuse();
        await client.WaitForStateAsync("reconnecting");
        var during = await MerchantPage.PublishAsync(relay, 2);
        network.Restore();
        await client.WaitForAsync("welcome", 2);
        await client.WaitForAsync("order", 2);

        var hellos = client.Sent.Where(frame => frame.Contains("\"hello\"", StringComparison.Ordinal)).ToList();
        Assert.That(hellos, Has.Count.EqualTo(2));
        Assert.That(hellos[0], Does.Not.Contain("since"));
        Assert.That(hellos[1], Does.Contain($"\"since\":{before},"));
        var orders = await client.ValuesAsync("order");
        Assert.That(orders.Select(order => JsonDocument.Parse(order).RootElement.GetProperty("seq").GetInt64()), Is.EqualTo(new[] { before, during }));
    }

    /// <summary>A person's accept made while the connection is down is not lost: it goes out after the next welcome.</summary>
    [Test]
    public async Task AcceptWhileReconnecting_SentAfterTheNextWelcome()
    {
        await using var relay = await RelayServer.StartAsync();
        await using var network = new TcpProxy(relay.HttpBase);
        var client = await OpenAsync(relay);
        await client.StartAsync(new Uri($"ws://127.0.0.1:{network.Port}/"), null);
        await client.WaitForAsync("welcome", 1);
        var seq = await MerchantPage.PublishAsync(relay, 1);
        await client.WaitForAsync("order", 1);

        network.DropAllAndRefuse();
        await client.WaitForStateAsync("reconnecting");
        var sentAtOnce = await client.Page.EvaluateAsync<bool>($"() => window.client.accept({seq})");
        network.Restore();

        await client.WaitForSentAsync(frame => frame == $$"""{"type":"accept","seq":{{seq}}}""");
        Assert.That(sentAtOnce, Is.False);
        var frames = client.Sent.ToList();
        Assert.That(frames.FindIndex(frame => frame.Contains("\"accept\"", StringComparison.Ordinal)),
            Is.GreaterThan(frames.FindLastIndex(frame => frame.Contains("\"hello\"", StringComparison.Ordinal))));
    }

    /// <summary>
    /// An accept the relay refuses (unknown_seq from a relay with accept, unknown_type from one
    /// without) ends the pending accept and is reported, so the page can offer it again.
    /// </summary>
    [Test]
    public async Task AcceptRefusedByTheRelay_ReportedWithTheAbandonedSeq()
    {
        await using var relay = await RelayServer.StartAsync();
        var client = await OpenAsync(relay);
        await client.StartAsync(relay.WebSocketUri, null);
        await client.WaitForAsync("welcome", 1);

        var sentAtOnce = await client.Page.EvaluateAsync<bool>("() => window.client.accept(987654)");
        await client.WaitForAsync("error", 1);

        Assert.That(sentAtOnce, Is.True);
        var error = JsonDocument.Parse((await client.ValuesAsync("error")).Single()).RootElement;
        Assert.That(error.GetProperty("code").GetString(), Is.AnyOf("unknown_seq", "unknown_type"));
        Assert.That(error.GetProperty("abandoned").EnumerateArray().Select(seq => seq.GetInt64()), Is.EqualTo(new[] { 987654L }));
        Assert.That(await client.Page.EvaluateAsync<int>("() => window.client.pendingAccepts.size"), Is.Zero);
    }

    [Test]
    public async Task Stop_ClosesNormallyAndDoesNotReconnect()
    {
        await using var relay = await RelayServer.StartAsync();
        var client = await OpenAsync(relay);
        await client.StartAsync(relay.WebSocketUri, null);
        await client.WaitForAsync("welcome", 1);

        await client.Page.EvaluateAsync("() => window.client.stop()");
        await client.WaitForStateAsync("stopped");
        await MerchantPage.PublishAsync(relay, 1);
        await MerchantPage.PublishAsync(relay, 2);

        // The relay has dropped the connection: no subscriber is left to deliver to. What it does after a close
        // handshake sends nothing the page could await, and the page's events do not name its connection.
        await Eventually.UntilAsync(() => relay.Connections.Count == 0, "the relay to let go of the connection");
        Assert.That(await client.ValuesAsync("order"), Is.Empty);
        Assert.That(await client.ValuesAsync("state"), Has.None.Contains("reconnecting"));
        Assert.That(client.Sent.Count(frame => frame.Contains("\"hello\"", StringComparison.Ordinal)), Is.EqualTo(1));
    }

    [Test]
    public async Task NoUrl_RefusedAtConstruction()
    {
        await using var relay = await RelayServer.StartAsync();
        var client = await OpenAsync(relay);

        var message = await client.Page.EvaluateAsync<string>("""
            async () => {
              const { RelayClient } = await import("/clients/js/index.js");
              try { new RelayClient({}); return "constructed"; } catch (error) { return error.message; }
            }
            """);

        Assert.That(message, Does.Contain("options.url"));
    }

    private async Task<ClientPage> OpenAsync(RelayServer relay)
    {
        var page = await Context.NewPageAsync();
        var client = new ClientPage(page);
        // Any document of the relay's origin can import the module: the module's own text will do.
        // (Not a page made up by Playwright's routing: Chromium's local-network checks block its sockets to loopback.)
        await page.GotoAsync(new Uri(relay.HttpBase, "clients/js/index.js").ToString());
        return client;
    }

    private sealed class ClientPage
    {
        private readonly ConcurrentQueue<string> _sent = new();
        private readonly List<(Func<string, bool> Match, TaskCompletionSource Done)> _waiters = [];

        public ClientPage(IPage page)
        {
            Page = page;
            Problems = new PageProblems(page);
            page.WebSocket += (_, socket) => socket.FrameSent += (_, frame) => Record(frame.Text ?? "");
        }

        public IPage Page { get; }

        public PageProblems Problems { get; }

        public IEnumerable<string> Sent => _sent;

        public async Task StartAsync(Uri url, object? resumeFrom) => await Page.EvaluateAsync(StartClient, new object?[] { url.ToString(), resumeFrom });

        public async Task WaitForAsync(string kind, int count) =>
            await Page.WaitForFunctionAsync("([kind, count]) => window.events.filter(e => e.kind === kind).length >= count", new object[] { kind, count }, new() { Timeout = 20_000 });

        public async Task WaitForStateAsync(string state) =>
            await Page.WaitForFunctionAsync("state => window.client.state === state", state, new() { Timeout = 20_000 });

        public async Task<string[]> ValuesAsync(string kind) =>
            await Page.EvaluateAsync<string[]>("kind => window.events.filter(e => e.kind === kind).map(e => e.value)", kind);

        public Task WaitForSentAsync(Func<string, bool> match)
        {
            var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            lock (_waiters)
            {
                if (_sent.Any(match))
                {
                    return Task.CompletedTask;
                }
                _waiters.Add((match, done));
            }
            return done.Task.WaitAsync(TimeSpan.FromSeconds(20));
        }

        private void Record(string frame)
        {
            lock (_waiters)
            {
                _sent.Enqueue(frame);
                foreach (var waiter in _waiters.Where(waiter => waiter.Match(frame)))
                {
                    waiter.Done.TrySetResult();
                }
            }
        }
    }
}
