using OrderRelay.Configuration;
using OrderRelay.Tests.Support;

namespace OrderRelay.Tests.Configuration;

[CancelAfter(30_000)]
public sealed class StorageSettingsTests
{
    [Test]
    public void Defaults_SqliteJournalUnderDataWithDocumentedRetention()
    {
        var options = new RelayOptions();

        Assert.Multiple(() =>
        {
            Assert.That(options.Store, Is.EqualTo("sqlite"));
            Assert.That(options.Sqlite.Path, Is.EqualTo("data/orderrelay.db"));
            Assert.That(options.History.MaxAge, Is.EqualTo(TimeSpan.FromHours(24)));
            Assert.That(options.History.MaxOrders, Is.EqualTo(1_000_000));
            Assert.That(RelayOptionsValidator.Validate(options), Is.Empty);
        });
    }

    [TestCase("Relay:Store=postgres", "Relay:Store")]
    [TestCase("Relay:History:MaxOrders=0", "Relay:History:MaxOrders")]
    [TestCase("Relay:History:MaxAge=00:00:00", "Relay:History:MaxAge")]
    [TestCase("Relay:Sqlite:BusyTimeout=00:00:00.5", "Relay:Sqlite:BusyTimeout")]
    public void BadStorageSetting_StartupErrorNamesIt(string setting, string named)
    {
        var error = Assert.ThrowsAsync<RelayStartupException>(() => RelayServer.StartAsync("Relay:Store=sqlite", setting));

        Assert.That(error!.Message, Does.Contain(named));
    }

    [Test]
    public void EmptySqlitePath_StartupErrorNamesIt()
    {
        var options = new RelayOptions();
        options.Sqlite.Path = " ";

        Assert.That(RelayOptionsValidator.Validate(options), Has.One.Contains("Relay:Sqlite:Path"));
    }
}
