using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using OrderRelay.Tests.Support;

namespace OrderRelay.Tests.Security;

[CancelAfter(60_000)]
public sealed class TlsTests
{
    private DirectoryInfo _directory = null!;
    private X509Certificate2 _certificate = null!;

    [SetUp]
    public void MakeSelfSignedCertificate()
    {
        _directory = Directory.CreateTempSubdirectory("orderrelay-tls-");
        using var key = RSA.Create(2048);
        var request = new CertificateRequest("CN=127.0.0.1", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var names = new SubjectAlternativeNameBuilder();
        names.AddIpAddress(System.Net.IPAddress.Loopback);
        names.AddDnsName("localhost");
        request.CertificateExtensions.Add(names.Build());
        _certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1));
        File.WriteAllBytes(Path.Combine(_directory.FullName, "relay.pfx"), _certificate.Export(X509ContentType.Pkcs12, "pfx-password"));
        File.WriteAllText(Path.Combine(_directory.FullName, "relay.crt"), _certificate.ExportCertificatePem());
        File.WriteAllText(Path.Combine(_directory.FullName, "relay.key"), key.ExportPkcs8PrivateKeyPem());
    }

    [TearDown]
    public void Clean()
    {
        _certificate.Dispose();
        _directory.Delete(recursive: true);
    }

    [Test]
    public async Task PfxCertificate_WssRoundTrip()
    {
        await using var relay = await RelayServer.StartAsync(
            $"Relay:Tls:CertificatePath={Path.Combine(_directory.FullName, "relay.pfx")}", "Relay:Tls:Password=pfx-password");

        await AssertRoundTripAsync(relay);
    }

    [Test]
    public async Task PemCertificateAndKey_WssRoundTrip()
    {
        await using var relay = await RelayServer.StartAsync(
            $"Relay:Tls:CertificatePath={Path.Combine(_directory.FullName, "relay.crt")}",
            $"Relay:Tls:KeyPath={Path.Combine(_directory.FullName, "relay.key")}");

        await AssertRoundTripAsync(relay);
    }

    private async Task AssertRoundTripAsync(RelayServer relay)
    {
        Assert.That(relay.HttpBase.Scheme, Is.EqualTo("https"));
        var wss = new Uri($"wss://{relay.HttpBase.Authority}/");
        RemoteCertificateValidationCallback trustOurs = (_, presented, _, _) => presented?.GetCertHashString() == _certificate.GetCertHashString();
        await using var subscriber = await WsClient.ConnectAsync(wss, options => options.RemoteCertificateValidationCallback = trustOurs);
        await subscriber.HelloAsync("""{"type":"hello","role":"subscriber"}""");
        await using var publisher = await WsClient.ConnectAsync(wss, options => options.RemoteCertificateValidationCallback = trustOurs);
        await publisher.HelloAsync("""{"type":"hello","role":"publisher"}""");

        Assert.That((await publisher.PublishAsync(Frames.Order("m-1", 1))).Type(), Is.EqualTo("ack"));
        Assert.That((await subscriber.ReceiveAsync()).Type(), Is.EqualTo("order"));
    }
}
