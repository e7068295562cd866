using System.Collections.Concurrent;
using System.Net;
using System.Net.WebSockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using OrderRelay.Tests.Support;

namespace OrderRelay.Tests.Samples;

/// <summary>
/// samples/deploy/nginx-orderrelay.conf on Debian's nginx, in front of a real relay, with many
/// real clients each on its own loopback address. The relay trusts nginx (127.0.0.1) for
/// <c>X-Forwarded-For</c>, as samples/deploy/README.md tells operators to set it.
/// </summary>
[CancelAfter(240_000)]
public sealed class NginxSampleTests
{
    private const int Subscribers = 1_200;
    private const int PerAddress = 2;

    private static readonly string[] BehindNginx =
    [
        $"Relay:Limits:MaxConnectionsPerAddress={PerAddress}",
        "Relay:ForwardedHeaders:KnownProxies:0=127.0.0.1",
    ];

    [Test]
    public void PlainHttpVariant_IsTheSampleWithOnlyTlsAndAddressesChanged()
    {
        var sample = NginxSample.Lines();
        var generated = NginxSample.PlainHttp(listenPort: 18_080, relayPort: 18_081).TrimEnd('\n').Split('\n');

        var dropped = sample.Except(generated).Select(line => line.Trim()).ToArray();
        var added = generated.Except(sample).Select(line => line.Trim()).ToArray();

        Assert.That(dropped.Where(line => !line.StartsWith("ssl_", StringComparison.Ordinal)),
            Is.EquivalentTo(new[] { "listen 443 ssl;", NginxSample.UpstreamServer + "  # Relay:Bind=127.0.0.1, Relay:Port=8080" }));
        Assert.That(dropped.Count(line => line.StartsWith("ssl_certificate", StringComparison.Ordinal)), Is.EqualTo(2), "users get a TLS server block");
        Assert.That(added, Is.EquivalentTo(new[] { "listen 127.0.0.1:18080;", "server 127.0.0.1:18081;  # Relay:Bind=127.0.0.1, Relay:Port=8080" }));
        Assert.That(generated.Where(sample.Contains), Is.EqualTo(sample.Where(generated.Contains)), "every other line kept, in order");
        Assert.That(generated.Where(line => !line.TrimStart().StartsWith('#')), Has.None.Contains("ssl"), "no TLS left to run");
    }

    [Test]
    public async Task SampleAsShipped_LoadsOnThisNginx()
    {
        using var directory = new TempDirectory();
        using (var key = RSA.Create(2048))
        {
            var request = new CertificateRequest("CN=relay.example.com", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
            using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1));
            await File.WriteAllTextAsync(directory.File("fullchain.pem"), certificate.ExportCertificatePem());
            await File.WriteAllTextAsync(directory.File("privkey.pem"), key.ExportPkcs8PrivateKeyPem());
        }

        var result = await NginxServer.TestConfigurationAsync(NginxSample.WithCertificate(directory.File("fullchain.pem"), directory.File("privkey.pem")));

        Assert.That(result.ExitCode, Is.Zero, result.ToString());
        Assert.That(result.Error, Does.Contain("test is successful"));
    }

    [Test]
    public async Task ThousandsOfAddressesThroughNginx_AllWelcomedAndEachHeldToItsOwnLimit()
    {
        // This process holds both ends on the relay's side of nginx (the clients and the relay's sockets).
        Assert.That(OpenFileLimit(), Is.GreaterThan(2 * Subscribers + 1_000), "raise the open-file limit (ulimit -n) for this test");
        await using var relay = await RelayServer.StartAsync(BehindNginx);
        await using var nginx = await NginxServer.StartAsync(port => NginxSample.PlainHttp(port, relay.HttpBase.Port));
        var clients = new ConcurrentBag<(WsClient Client, HttpMessageInvoker Invoker)>();
        try
        {
            var refusals = new ConcurrentBag<string>();
            await Parallel.ForEachAsync(Enumerable.Range(0, Subscribers), new ParallelOptions { MaxDegreeOfParallelism = 32 }, async (index, _) =>
            {
                try
                {
                    clients.Add(await ConnectSubscriberAsync(nginx, SourceAddress.Client(index)));
                }
                catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or AssertionException)
                {
                    refusals.Add($"{SourceAddress.Client(index)}: {ex.Message}");
                }
            });

            Assert.That(refusals, Is.Empty, $"{refusals.Count} of {Subscribers} refused; first: {refusals.FirstOrDefault()}\n{nginx.ErrorLog}");
            Assert.That(relay.Connections.Count, Is.EqualTo(Subscribers));

            // Every tunnel carries orders: one publish reaches all of them.
            using (var published = await relay.Http.PostAsync("/publish", new StringContent("""{"order_id":1,"merchant_id":"m-1"}""")))
            {
                Assert.That(published.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            }

            var delivered = 0;
            await Parallel.ForEachAsync(clients, new ParallelOptions { MaxDegreeOfParallelism = 64 }, async (client, _) =>
            {
                if ((await client.Client.ReceiveAsync()).Seq() == 1)
                {
                    Interlocked.Increment(ref delivered);
                }
            });
            Assert.That(delivered, Is.EqualTo(Subscribers));

            // The first address already holds one; its second is welcomed and its third refused, even
            // when that one names another address itself, while a new address is still welcomed.
            clients.Add(await ConnectSubscriberAsync(nginx, SourceAddress.Client(0)));
            using (var sameAddress = SourceAddress.Invoker(SourceAddress.Client(0)))
            {
                var refused = Assert.ThrowsAsync<WebSocketException>(() => WsClient.ConnectAsync(nginx.WebSocketUri,
                    options => options.SetRequestHeader("X-Forwarded-For", "127.250.0.1"), invoker: sameAddress));
                Assert.That(refused!.Message, Does.Contain("503"));
            }

            clients.Add(await ConnectSubscriberAsync(nginx, SourceAddress.Client(Subscribers)));
        }
        finally
        {
            await Parallel.ForEachAsync(clients, new ParallelOptions { MaxDegreeOfParallelism = 64 }, async (client, _) =>
            {
                await client.Client.DisposeAsync();
                client.Invoker.Dispose();
            });
        }
    }

    [Test]
    public async Task MetricsThroughNginx_RefusedHoweverSpelledWhileHealthzAnswers()
    {
        await using var relay = await RelayServer.StartAsync();
        await using var nginx = await NginxServer.StartAsync(port => NginxSample.PlainHttp(port, relay.HttpBase.Port));
        string[] spellings = ["/metrics", "/METRICS", "/Metrics", "/metrics/", "/metrics?x=1", "//metrics", "/%6detrics", "/%6Detrics",
            "/%2Fmetrics", "/./metrics", "/healthz/../metrics", "/metrics%2F", "/mEtRiCs/"];

        var served = new List<string>();
        foreach (var path in spellings)
        {
            var (status, body) = await GetRawAsync(nginx.Port, path);
            Assert.That(status, Is.EqualTo(403).Or.EqualTo(404), $"{path} through nginx: {status}");
            Assert.That(body, Does.Not.Contain("orderrelay_"), path);

            if ((await GetRawAsync(relay.HttpBase.Port, path)).Body.Contains("orderrelay_", StringComparison.Ordinal))
            {
                served.Add(path);
            }
        }

        // The probe means something: asked directly, the relay serves metrics for most spellings.
        Assert.That(served, Is.SupersetOf(new[] { "/metrics", "/METRICS", "/metrics/", "/%6detrics", "/./metrics", "/healthz/../metrics" }));
        var (healthStatus, healthBody) = await GetRawAsync(nginx.Port, "/healthz");
        Assert.That(healthStatus, Is.EqualTo(200));
        Assert.That(healthBody, Does.Contain("\"ok\""));
    }

    private static async Task<(WsClient Client, HttpMessageInvoker Invoker)> ConnectSubscriberAsync(NginxServer nginx, IPAddress source)
    {
        var invoker = SourceAddress.Invoker(source);
        try
        {
            var client = await WsClient.ConnectAsync(nginx.WebSocketUri, invoker: invoker);
            try
            {
                await client.HelloAsync("""{"type":"hello","role":"subscriber"}""");
                return (client, invoker);
            }
            catch
            {
                await client.DisposeAsync();
                throw;
            }
        }
        catch
        {
            invoker.Dispose();
            throw;
        }
    }

    /// <summary>This process's soft limit on open files (.NET raises it to the hard limit at start-up).</summary>
    private static long OpenFileLimit()
    {
        var line = File.ReadLines("/proc/self/limits").Single(line => line.StartsWith("Max open files", StringComparison.Ordinal));
        var soft = line["Max open files".Length..].Split(' ', StringSplitOptions.RemoveEmptyEntries)[0];
        return soft == "unlimited" ? long.MaxValue : long.Parse(soft, System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>A GET with the path exactly as given (HttpClient would normalise it), from 127.0.0.2; the status and body.</summary>
    private static async Task<(int Status, string Body)> GetRawAsync(int port, string path)
    {
        using var connection = await RawHttpConnection.OpenAsync(new Uri($"http://127.0.0.1:{port}/"), IPAddress.Parse("127.0.0.2"));
        await connection.WriteAsync($"GET {path} HTTP/1.1\r\nHost: relay.example.com\r\nConnection: close\r\n\r\n");
        using var reader = new StreamReader(connection.Stream, Encoding.UTF8);
        var response = await reader.ReadToEndAsync().WaitAsync(WsClient.DefaultWait);
        return (int.Parse(response.Split(' ', 3)[1], System.Globalization.CultureInfo.InvariantCulture), response);
    }
}
