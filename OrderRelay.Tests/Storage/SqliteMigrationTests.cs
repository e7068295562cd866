using System.Text.Json;
using Microsoft.Data.Sqlite;
using OrderRelay.Tests.Support;

namespace OrderRelay.Tests.Storage;

/// <summary>A journal written by a relay before issue 15 (schema version 1) is migrated at start and loses nothing.</summary>
[CancelAfter(60_000)]
public sealed class SqliteMigrationTests
{
    private const string Version1 = """
        CREATE TABLE journal_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
        CREATE TABLE orders (seq INTEGER PRIMARY KEY, accepted_at INTEGER NOT NULL, merchant_id TEXT, idempotency_key TEXT, body BLOB NOT NULL);
        CREATE UNIQUE INDEX orders_by_idempotency_key ON orders (idempotency_key) WHERE idempotency_key IS NOT NULL;
        CREATE INDEX orders_by_merchant ON orders (merchant_id, seq);
        CREATE TABLE confirmations (merchant_id TEXT PRIMARY KEY, seq INTEGER NOT NULL, confirmed_at INTEGER NOT NULL) WITHOUT ROWID;
        INSERT INTO journal_meta VALUES ('epoch', 'e-version1');
        INSERT INTO orders VALUES (1, 1795920000000, 'm-1', 'ord-old', CAST('{"order_id":1,"merchant_id":"m-1"}' AS BLOB));
        PRAGMA user_version = 1;
        """;

    [Test]
    public async Task Version1Journal_MigratedAtStart_OrdersKeptAndTrackable()
    {
        using var directory = new TempDirectory();
        var path = directory.File("journal.db");
        using (var connection = new SqliteConnection($"Data Source={path};Pooling=False"))
        {
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = Version1;
            command.ExecuteNonQuery();
        }

        await using var relay = await RelayServer.StartAsync("Relay:Store=sqlite", $"Relay:Sqlite:Path={path}");
        await using var page = await relay.ConnectSubscriberAsync("""{"type":"hello","role":"subscriber","merchants":["m-1"],"since":0}""");
        var replayed = await page.ReceiveOfTypeAsync("order");
        await page.SendAsync("""{"type":"accept","seq":1}""");
        await page.ReceiveOfTypeAsync("accepted");
        var status = JsonDocument.Parse(await relay.Http.GetStringAsync("orders/ord-old")).RootElement;

        Assert.Multiple(() =>
        {
            Assert.That(page.Welcome.GetProperty("epoch").GetString(), Is.EqualTo("e-version1"));
            Assert.That(replayed.GetProperty("order").GetRawText(), Is.EqualTo("""{"order_id":1,"merchant_id":"m-1"}"""));
            Assert.That(status.Seq(), Is.EqualTo(1));
            Assert.That(status.GetProperty("online_at_acceptance").GetInt32(), Is.EqualTo(0));
            Assert.That(status.GetProperty("merchant_accepted_at").GetString(), Does.EndWith("Z"));
        });
    }
}
