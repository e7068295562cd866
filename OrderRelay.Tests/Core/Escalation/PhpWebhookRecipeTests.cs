using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.RegularExpressions;
using OrderRelay.Tests.Support;

namespace OrderRelay.Tests.Core.Escalation;

/// <summary>
/// The PHP recipe of docs/receipts.md, taken from the page itself and served by php-cli's built-in
/// server as the relay's webhook: it takes the relay's calls and refuses forged and stale ones.
/// </summary>
[CancelAfter(90_000)]
public sealed partial class PhpWebhookRecipeTests
{
    private const string Php = "/usr/bin/php";

    [Test]
    public async Task DocumentedPhpRecipe_TakesTheRelaysCall_RefusesForgedAndStale()
    {
        if (!File.Exists(Php))
        {
            Assert.Fail($"{Php} is missing: install Debian's php-cli, as .ci/run does.");
        }

        using var directory = new TempDirectory();
        var recipe = PhpBlock().Match(await File.ReadAllTextAsync(RepositoryRoot.Combine("docs", "receipts.md"))).Groups[1].Value;
        await File.WriteAllTextAsync(directory.File("escalate.php"), recipe);
        // The two functions the recipe leaves to the receiver.
        await File.WriteAllTextAsync(directory.File("receiver.php"), """
            <?php
            function remember_once($id) { $file = __DIR__ . '/seen.txt'; $seen = @file($file, FILE_IGNORE_NEW_LINES) ?: [];
                if (in_array($id, $seen, true)) return false; file_put_contents($file, $id . "\n", FILE_APPEND); return true; }
            function call_the_merchant($merchantId, $order) { file_put_contents(__DIR__ . '/called.txt', $merchantId . "\n", FILE_APPEND); }
            """);
        var port = FreePort();
        using var server = await StartPhpServerAsync(directory.Path, port);
        var url = new Uri($"http://127.0.0.1:{port}/escalate.php");

        await using (var relay = await RelayServer.StartAsync([.. EscalationTests.Settings(url), EscalationTests.LogEscalations]))
        {
            await using var publisher = await relay.ConnectPublisherAsync();
            var seq = (await publisher.PublishAsync(Frames.Order("m-7", 1), "ord-php")).Seq();
            await EscalationTests.EscalatedAsync(relay, seq);
        }

        using var http = new HttpClient();
        var body = """{"type":"escalation","delivery_id":"e-x:1","merchant_id":"m-666","order":{}}""";
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var forged = await PostAsync(http, url, body, $"t={now},v1={new string('0', 64)}");
        var stale = await PostAsync(http, url, body, Sign(body, now - 3600));
        var called = await File.ReadAllTextAsync(directory.File("called.txt"));

        Assert.Multiple(() =>
        {
            Assert.That(called, Is.EqualTo("m-7\n"), "the relay's signed call was taken once, the forged and stale ones not");
            Assert.That(forged, Is.EqualTo(HttpStatusCode.Unauthorized));
            Assert.That(stale, Is.EqualTo(HttpStatusCode.BadRequest));
        });
    }

    private static string Sign(string body, long unixSeconds)
    {
        var mac = System.Security.Cryptography.HMACSHA256.HashData(Encoding.UTF8.GetBytes(EscalationTests.Secret), Encoding.UTF8.GetBytes($"{unixSeconds}.{body}"));
        return $"t={unixSeconds},v1={Convert.ToHexStringLower(mac)}";
    }

    private static async Task<HttpStatusCode> PostAsync(HttpClient http, Uri url, string body, string signature)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        request.Headers.Add("X-OrderRelay-Signature", signature);
        using var response = await http.SendAsync(request);
        return response.StatusCode;
    }

    /// <summary>Returns once the server says it has started, which it prints once it listens.</summary>
    private static async Task<ProcessHandle> StartPhpServerAsync(string root, int port)
    {
        var start = new ProcessStartInfo(Php) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = root };
        foreach (var argument in new[] { "-d", $"auto_prepend_file={Path.Combine(root, "receiver.php")}", "-S", $"127.0.0.1:{port}", "-t", root })
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["ORDERRELAY_ESCALATION_SECRET"] = EscalationTests.Secret;
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var process = new Process { StartInfo = start };
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, line) =>
        {
            if (line.Data?.Contains($"Development Server (http://127.0.0.1:{port}) started", StringComparison.Ordinal) == true)
            {
                started.TrySetResult();
            }
        };
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var server = new ProcessHandle(process);
        try
        {
            await Task.WhenAny(started.Task, process.WaitForExitAsync()).WaitAsync(TimeSpan.FromSeconds(20));
            Assert.That(process.HasExited, Is.False, $"php -S exited with {(process.HasExited ? process.ExitCode : 0)}");
            return server;
        }
        catch
        {
            server.Dispose();
            throw;
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    [GeneratedRegex("```php\\n(.*?)```", RegexOptions.Singleline)]
    private static partial Regex PhpBlock();

    private sealed class ProcessHandle(Process process) : IDisposable
    {
        public void Dispose()
        {
            process.Kill();
            process.WaitForExit(10_000);
            process.Dispose();
        }
    }
}
