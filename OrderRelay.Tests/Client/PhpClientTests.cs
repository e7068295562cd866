using System.Text.Json;
using OrderRelay.Tests.Security;
using OrderRelay.Tests.Support;

namespace OrderRelay.Tests.Client;

/// <summary>
/// clients/php (notify_order() and OrderRelay\RelayClient) run by the real php-cli against a real
/// relay, loaded the way a shop without Composer loads it: one require of src/functions.php.
/// </summary>
[CancelAfter(90_000)]
public sealed class PhpClientTests
{
    private const string Php = "/usr/bin/php";
    private static readonly string Functions = RepositoryRoot.Combine("clients", "php", "src", "functions.php");

    /// <summary>Prints each retry to standard error, so a test can react to it.</summary>
    private const string PrintRetries = """['on_retry' => function ($attempt, $delay, $why) { fwrite(STDERR, "retry $attempt: $why\n"); }]""";

    [OneTimeSetUp]
    public void RequirePhp()
    {
        if (!File.Exists(Php))
        {
            Assert.Fail($"{Php} is missing: install Debian's php-cli, as .ci/run does.");
        }
    }

    [Test]
    public async Task NotifyOrderWithKey_AckedAndDeliveredAsWritten()
    {
        await using var relay = await RelayServer.StartAsync(SecuredRelay.Settings);
        await using var subscriber = await relay.ConnectSubscriberAsync(SecuredRelay.Hello(SecuredRelay.Token("m-1001")));

        var run = await RunPhpAsync(relay, SecuredRelay.PublisherKey, """
            echo json_encode(notify_order(['order_id' => 1, 'merchant_id' => 'm-1001', 'customer_name' => '张三', 'order_amount' => 100.5])), "\n";
            $client = OrderRelay\RelayClient::fromEnvironment();
            echo json_encode($client->publish('{"order_id":2,"merchant_id":"m-1001","order_amount":100.00}')), "\n";
            """);

        Assert.That(run.ExitCode, Is.Zero, run.ToString());
        Assert.That(run.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries),
            Is.EqualTo(new[] { """{"seq":1,"duplicate":false}""", """{"seq":2,"duplicate":false}""" }));
        Assert.That(await subscriber.ReceiveTextAsync(), Does.Contain("""
            "order":{"order_id":1,"merchant_id":"m-1001","customer_name":"张三","order_amount":100.5}
            """.Trim()));
        Assert.That(await subscriber.ReceiveTextAsync(), Does.Contain("""
            "order":{"order_id":2,"merchant_id":"m-1001","order_amount":100.00}
            """.Trim()), "a JSON string is sent verbatim");
    }

    [Test]
    public async Task BadKey_ThrowsAuthenticationException_WithoutRetrying()
    {
        await using var relay = await RelayServer.StartAsync(SecuredRelay.Settings);

        var run = await RunPhpAsync(relay, "pk-wrong", $$"""
            try {
                notify_order(['order_id' => 1, 'merchant_id' => 'm-1001'], null, {{PrintRetries}});
            } catch (OrderRelay\AuthenticationException $e) {
                echo $e->getCode(), ' ', $e->getRelayCode(), ' ', $e->getMessage();
            }
            """);

        Assert.That(run.Output, Does.StartWith("401 auth_failed OrderRelay refused the order (HTTP 401): "), run.ToString());
        Assert.That(run.Output, Does.Not.Contain("pk-wrong"));
        Assert.That(run.Error, Does.Not.Contain("retry"), "a refused key is not retried");
        Assert.That(relay.Relay.LastSeq, Is.Zero);
    }

    /// <summary>
    /// The relay (SQLite journal) stops; notify_order() for an order it already stored, and for a new
    /// one, retries until the relay is back on the same port: the first is answered as a duplicate,
    /// and a subscriber reading from the start sees each order once.
    /// </summary>
    [Test]
    public async Task RelayRestarted_RetriedWithTheSameKey_NothingTwice()
    {
        using var directory = new TempDirectory();
        string[] store = ["Relay:Store=sqlite", "Relay:Sqlite:Path=" + directory.File("journal.db")];
        var relay = await RelayServer.StartAsync(store);
        var port = relay.HttpBase.Port;
        var first = await RunPhpAsync(relay, null, "echo json_encode(notify_order(['order_id' => 1, 'merchant_id' => 'm-1001']));");
        Assert.That(first.Output.Trim(), Is.EqualTo("""{"seq":1,"duplicate":false}"""), first.ToString());
        await relay.DisposeAsync();
        var retrying = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        var running = RunPhpAsync(relay, null, $$"""
            $options = ['attempts' => 30, 'max_retry_delay' => 1.0] + {{PrintRetries}};
            echo json_encode([notify_order(['order_id' => 1, 'merchant_id' => 'm-1001'], null, $options),
                              notify_order(['order_id' => 2, 'merchant_id' => 'm-1001'], null, $options)]);
            """, onErrorLine: line =>
            {
                if (line.StartsWith("retry ", StringComparison.Ordinal))
                {
                    retrying.TrySetResult();
                }
            });
        await retrying.Task.WaitAsync(TimeSpan.FromSeconds(30));
        await using var restarted = await RelayServer.StartAsync([.. store, $"Relay:Port={port}"]);
        var second = await running;

        Assert.That(second.ExitCode, Is.Zero, second.ToString());
        Assert.That(second.Output.Trim(), Is.EqualTo("""[{"seq":1,"duplicate":true},{"seq":2,"duplicate":false}]"""), second.ToString());
        Assert.That(second.Error, Does.Contain("could not be reached").Or.Contain("Connection refused"));
        await using var subscriber = await restarted.ConnectSubscriberAsync("""{"type":"hello","role":"subscriber","since":0}""");
        Assert.That(await subscriber.ReceiveOrderSeqsAsync(2), Is.EqualTo(new long[] { 1, 2 }));
        Assert.That(restarted.Relay.LastSeq, Is.EqualTo(2));
    }

    /// <summary>The journal is locked by another process: the relay answers 503 with Retry-After: 2, which the client waits, then succeeds.</summary>
    [Test]
    public async Task StoreUnavailable_RetriedAfterTheRetryAfterTheRelaySent()
    {
        using var directory = new TempDirectory();
        await using var relay = await RelayServer.StartAsync("Relay:Store=sqlite", "Relay:Sqlite:Path=" + directory.File("journal.db"), "Relay:Sqlite:BusyTimeout=00:00:01");
        Assert.That((await RunPhpAsync(relay, null, "notify_order(['order_id' => 1, 'merchant_id' => 'm-1001']);")).ExitCode, Is.Zero);
        var locked = await Storage.WriteLockHolder.TakeAsync(directory.File("journal.db"));
        var refused = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        var running = RunPhpAsync(relay, null, """
            $options = ['attempts' => 10, 'on_retry' => function ($attempt, $delay, $why) { fwrite(STDERR, sprintf("retry %d after %.1f s: %s\n", $attempt, $delay, $why)); }];
            echo json_encode(notify_order(['order_id' => 2, 'merchant_id' => 'm-1001'], null, $options));
            """, onErrorLine: line =>
            {
                if (line.Contains("HTTP 503", StringComparison.Ordinal))
                {
                    refused.TrySetResult();
                }
            });
        await refused.Task.WaitAsync(TimeSpan.FromSeconds(30));
        await locked.DisposeAsync();
        var run = await running;

        Assert.That(run.Output.Trim(), Is.EqualTo("""{"seq":2,"duplicate":false}"""), run.ToString());
        Assert.That(run.Error, Does.Contain("retry 2 after 2.0 s: HTTP 503: "), "Retry-After: 2 was honoured");
        Assert.That(relay.Relay.LastSeq, Is.EqualTo(2));
    }

    [Test]
    public async Task RateLimited_RetriedUntilAccepted()
    {
        await using var relay = await RelayServer.StartAsync("Relay:Limits:PublishRatePerSecond=1", "Relay:Limits:PublishBurst=1");

        var run = await RunPhpAsync(relay, null, $$"""
            $options = ['attempts' => 30, 'retry_delay' => 0.2, 'max_retry_delay' => 1.0] + {{PrintRetries}};
            foreach ([1, 2, 3] as $id) {
                echo json_encode(notify_order(['order_id' => $id, 'merchant_id' => 'm-1001'], null, $options)), "\n";
            }
            """);

        Assert.That(run.ExitCode, Is.Zero, run.ToString());
        Assert.That(run.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries),
            Is.EqualTo(new[] { """{"seq":1,"duplicate":false}""", """{"seq":2,"duplicate":false}""", """{"seq":3,"duplicate":false}""" }));
        Assert.That(run.Error, Does.Contain("HTTP 429"), "the relay's rate limit was met and waited out");
    }

    [Test]
    public async Task OrderThatIsNotAnObject_RefusedBeforeSending()
    {
        await using var relay = await RelayServer.StartAsync();

        var run = await RunPhpAsync(relay, null, """
            try {
                OrderRelay\RelayClient::fromEnvironment()->publish('[1,2]');
            } catch (InvalidArgumentException $e) {
                echo $e->getMessage();
            }
            """);

        Assert.That(run.Output.Trim(), Is.EqualTo("The order must be a JSON object."), run.ToString());
        Assert.That(relay.Relay.LastSeq, Is.Zero);
    }

    /// <summary>With Composer, classes come from the PSR-4 map in composer.json: each must live where that map says.</summary>
    [Test]
    public async Task ComposerLayout_ClassesLoadThroughThePsr4Map()
    {
        using var composer = JsonDocument.Parse(await File.ReadAllTextAsync(RepositoryRoot.Combine("clients", "php", "composer.json")));
        var prefix = composer.RootElement.GetProperty("autoload").GetProperty("psr-4").EnumerateObject().Single();
        var source = RepositoryRoot.Combine("clients", "php", prefix.Value.GetString()!);

        var run = await ExternalProcess.RunAsync(Php, ["-r", $$"""
            spl_autoload_register(function ($class) {
                $prefix = {{JsonSerializer.Serialize(prefix.Name)}};
                if (str_starts_with($class, $prefix)) {
                    require {{JsonSerializer.Serialize(source)}} . '/' . str_replace('\\', '/', substr($class, strlen($prefix))) . '.php';
                }
            });
            foreach (['RelayClient', 'OrderRelayException', 'AuthenticationException', 'OrderRejectedException', 'RelayUnavailableException'] as $name) {
                echo class_exists('OrderRelay\\' . $name) ? "$name " : "missing:$name ";
            }
            """]);

        Assert.That(run.Output.Trim(), Is.EqualTo("RelayClient OrderRelayException AuthenticationException OrderRejectedException RelayUnavailableException"), run.ToString());
    }

    private static Task<ExternalProcess.Result> RunPhpAsync(RelayServer relay, string? key, string code, Action<string>? onErrorLine = null)
    {
        var environment = new Dictionary<string, string> { ["ORDERRELAY_URL"] = relay.HttpBase.ToString() };
        if (key is not null)
        {
            environment["ORDERRELAY_KEY"] = key;
        }

        return ExternalProcess.RunAsync(Php, ["-r", $"require {JsonSerializer.Serialize(Functions)}; {code}"], environment, onErrorLine);
    }
}
