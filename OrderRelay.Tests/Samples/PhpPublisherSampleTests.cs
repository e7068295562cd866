using OrderRelay.Tests.Support;

namespace OrderRelay.Tests.Samples;

/// <summary>samples/publisher-php/notify_order.php (the clients/php library and its command line) run by the real php-cli (Debian's php-cli, installed by .ci/run).</summary>
[CancelAfter(60_000)]
public sealed class PhpPublisherSampleTests : RelayServerTests
{
    private const string Php = "/usr/bin/php";
    private static readonly string Script = RepositoryRoot.Combine("samples", "publisher-php", "notify_order.php");

    [OneTimeSetUp]
    public void RequirePhp()
    {
        if (!File.Exists(Php))
        {
            Assert.Fail($"{Php} is missing: install Debian's php-cli, as .ci/run does.");
        }
    }

    [Test]
    public async Task NotifyOrder_OrderArrivesAtSubscriberAsTheShopWroteIt()
    {
        await using var subscriber = await Relay.ConnectSubscriberAsync("""{"type":"hello","role":"subscriber","merchants":["m-1001"]}""");

        var run = await RunPhpAsync("""
            $answer = notify_order(['order_id' => 123456, 'merchant_id' => 'm-1001', 'customer_name' => '张三', 'order_amount' => 100.5]);
            echo json_encode($answer);
            """);

        Assert.That(run.ExitCode, Is.Zero, run.ToString());
        Assert.That(run.Output.Trim(), Is.EqualTo("""{"seq":1,"duplicate":false}"""));
        var delivered = await subscriber.ReceiveTextAsync();
        Assert.That(delivered, Does.Contain("""
            "order":{"order_id":123456,"merchant_id":"m-1001","customer_name":"张三","order_amount":100.5}
            """.Trim()));
    }

    [Test]
    public async Task NotifyOrderTwice_SecondIsADuplicateWithTheSameSeq()
    {
        var run = await RunPhpAsync("""
            $order = ['order_id' => 7, 'merchant_id' => 'm-1001', 'order_amount' => 10];
            echo json_encode([notify_order($order), notify_order($order)]);
            """);

        Assert.That(run.ExitCode, Is.Zero, run.ToString());
        Assert.That(run.Output.Trim(), Is.EqualTo("""[{"seq":1,"duplicate":false},{"seq":1,"duplicate":true}]"""));
    }

    [Test]
    public async Task OrderOverTheSizeLimit_ThrowsWithTheRelaysReason()
    {
        var run = await RunPhpAsync("""
            try {
                notify_order(['order_id' => 8, 'merchant_id' => 'm-1001', 'note' => str_repeat('x', 70000)]);
            } catch (OrderRelay\OrderRejectedException $e) {
                echo $e->getCode(), ' ', $e->getMessage();
            }
            """);

        Assert.That(run.Output, Does.StartWith("413 OrderRelay refused the order (HTTP 413): ").And.Contain("65536-byte limit"), run.ToString());
    }

    [Test]
    public async Task RelayUnreachable_CommandLineSaysSoAndExitsWithOne()
    {
        var port = Relay.HttpBase.Port;
        await Relay.StopAsync();

        var run = await ExternalProcess.RunAsync(Php, [Script, """{"order_id":9,"merchant_id":"m-1001"}"""],
            new Dictionary<string, string> { ["ORDERRELAY_URL"] = $"http://127.0.0.1:{port}" });

        Assert.That(run.ExitCode, Is.EqualTo(1), run.ToString());
        Assert.That(run.Error, Does.Contain("could not be reached"));
    }

    private Task<ExternalProcess.Result> RunPhpAsync(string code) =>
        ExternalProcess.RunAsync(Php, ["-r", $"require {System.Text.Json.JsonSerializer.Serialize(Script)}; {code}"],
            new Dictionary<string, string> { ["ORDERRELAY_URL"] = Relay.HttpBase.ToString() });
}
