using OrderRelay.Configuration;
using OrderRelay.Hosting;
using OrderRelay.Tests.Support;

namespace OrderRelay.Tests.Hosting;

[CancelAfter(60_000)]
public sealed class ConfigurationTests
{
    [TestCase("Relay:Port=70000", "Relay:Port")]
    [TestCase("Relay:Port=abc", "Relay:Port")]
    [TestCase("Relay:Bind=not-an-address", "Relay:Bind")]
    [TestCase("Relay:Path=ws", "Relay:Path")]
    [TestCase("Relay:Store=postgres", "Relay:Store")]
    [TestCase("Relay:MaxMessageBytes=10", "Relay:MaxMessageBytes")]
    [TestCase("Relay:HandshakeTimeout=00:00:00", "Relay:HandshakeTimeout")]
    [TestCase("Relay:HandshakeTimeout=soon", "Relay:HandshakeTimeout")]
    [TestCase("Relay:SubscriberQueueLimit=0", "Relay:SubscriberQueueLimit")]
    [TestCase("Relay:HistoryLimit=0", "Relay:HistoryLimit")]
    [TestCase("Relay:MerchantField=", "Relay:MerchantField")]
    [TestCase("Relay:Prot=9000", "Prot")]
    [TestCase("Relay:ForwardedHeaders:KnownProxies:0=nginx", "Relay:ForwardedHeaders:KnownProxies")]
    [TestCase("Relay:ForwardedHeaders:KnownProxies:0=10", "Relay:ForwardedHeaders:KnownProxies")]
    [TestCase("Relay:ForwardedHeaders:KnownNetworks:0=10.0.0.1/8", "Relay:ForwardedHeaders:KnownNetworks")]
    [TestCase("Relay:ForwardedHeaders:KnownNetworks:0=10.0.0.0", "Relay:ForwardedHeaders:KnownNetworks")]
    [TestCase("Relay:Limits:MaxPendingHandshakesPerAddress=0", "Relay:Limits:MaxPendingHandshakesPerAddress")]
    [TestCase("Relay:Limits:MaxPendingHandshakes=1", "Relay:Limits:MaxPendingHandshakes")]
    [TestCase("Relay:Redis:OperationTimeout=00:00:00", "Relay:Redis:OperationTimeout")]
    [TestCase("Kestrel:Limits:RequestHeadersTimeout=soon", "Kestrel:Limits:RequestHeadersTimeout")]
    public void InvalidSetting_StartupRefusedNamingTheSetting(string setting, string named)
    {
        var refusal = Assert.Throws<RelayStartupException>(() => RelayApplication.Build(["--" + setting]));

        Assert.That(refusal!.Message, Does.Contain(named));
    }

    [Test]
    public async Task InvalidSettingFromEnvironmentStyleKey_ProcessExitsWithCode2AndNamesIt()
    {
        var (exitCode, output) = await RelayProcess.RunToExitAsync("Relay:SubscriberQueueLimit=-5");

        Assert.That(exitCode, Is.EqualTo(2));
        Assert.That(output, Does.Contain("Relay:SubscriberQueueLimit"));
    }

    [Test]
    public async Task PortAlreadyInUse_ProcessExitsWithCode2AndSaysWhy()
    {
        await using var first = await RelayServer.StartAsync();

        var (exitCode, output) = await RelayProcess.RunToExitAsync($"Relay:Port={first.HttpBase.Port}");

        Assert.That(exitCode, Is.EqualTo(2), output);
        Assert.That(output, Does.Contain("address already in use").IgnoreCase);
    }
}
