using OrderRelay.Tests.Support;

namespace OrderRelay.Tests.Security;

[CancelAfter(60_000)]
public sealed class IsolationTests
{
    [Test]
    public async Task FiftyMerchantsUnderConcurrentLoad_EachGetsExactlyItsOwnOrders()
    {
        const int merchants = 50;
        const int orders = 1000;
        await using var relay = await RelayServer.StartAsync(SecuredRelay.Settings);
        var pages = new WsClient[merchants];
        for (var m = 0; m < merchants; m++)
        {
            pages[m] = await relay.ConnectSubscriberAsync(SecuredRelay.Hello(SecuredRelay.Token($"m-{m}")));
        }

        try
        {
            var publishers = new WsClient[4];
            for (var p = 0; p < publishers.Length; p++)
            {
                publishers[p] = await relay.ConnectPublisherAsync(SecuredRelay.PublisherHello());
            }

            await Task.WhenAll(publishers.Select(async (publisher, p) =>
            {
                var mine = Enumerable.Range(0, orders).Where(i => i % publishers.Length == p).ToList();
                foreach (var i in mine)
                {
                    await publisher.SendPublishAsync(Frames.Order($"m-{i % merchants}", i));
                }

                foreach (var _ in mine)
                {
                    Assert.That((await publisher.ReceiveAsync()).Type(), Is.EqualTo("ack"));
                }

                await publisher.DisposeAsync();
            }));

            await Task.WhenAll(pages.Select(async (page, m) =>
            {
                var received = new List<int>();
                for (var i = 0; i < orders / merchants; i++)
                {
                    var delivery = await page.ReceiveAsync();
                    Assert.That(delivery.GetProperty("merchant_id").GetString(), Is.EqualTo($"m-{m}"));
                    received.Add(delivery.GetProperty("order").GetProperty("order_id").GetInt32());
                }

                Assert.That(received, Is.EquivalentTo(Enumerable.Range(0, orders).Where(i => i % merchants == m)));
                await page.SendAsync("""{"type":"ping"}""");
                Assert.That((await page.ReceiveAsync()).Type(), Is.EqualTo("pong"), "nothing more was delivered");
            }));
        }
        finally
        {
            foreach (var page in pages)
            {
                await page.DisposeAsync();
            }
        }
    }
}
