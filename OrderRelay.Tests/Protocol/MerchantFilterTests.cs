using OrderRelay.Protocol;

namespace OrderRelay.Tests.Protocol;

public sealed class MerchantFilterTests
{
    [Test]
    public void OneMerchant_AllowsOnlyThatMerchant()
    {
        var filter = MerchantFilter.For(["m-1"]);

        Assert.That(filter.IsEverything, Is.False);
        Assert.That(filter.Allows("m-1"), Is.True);
        Assert.That(filter.Allows("m-10"), Is.False);
        Assert.That(filter.Allows("M-1"), Is.False, "merchant ids compare ordinally");
        Assert.That(filter.Allows(null), Is.False, "an order without a merchant goes only to every-merchant subscribers");
    }

    [Test]
    public void RepeatedMerchants_AreListedOnce()
    {
        var filter = MerchantFilter.For(["m-1", "m-2", "m-1"]);

        Assert.That(filter.Merchants, Is.EqualTo(new[] { "m-1", "m-2" }));
    }

    [TestCase(8)]
    [TestCase(9)]
    [TestCase(50)]
    public void ManyMerchants_EachAllowedAndNoOther(int count)
    {
        var merchants = Enumerable.Range(0, count).Select(i => "m-" + i).ToArray();
        var filter = MerchantFilter.For(merchants);

        Assert.That(merchants.All(filter.Allows), Is.True);
        Assert.That(filter.Allows("m-" + count), Is.False);
        Assert.That(filter.Merchants, Has.Count.EqualTo(count));
    }

    [Test]
    public void Everything_AllowsAnyMerchantAndOrdersWithout()
    {
        Assert.That(MerchantFilter.Everything.IsEverything, Is.True);
        Assert.That(MerchantFilter.Everything.Allows("m-1"), Is.True);
        Assert.That(MerchantFilter.Everything.Allows(null), Is.True);
        Assert.That(MerchantFilter.Everything.Merchants, Is.Empty);
    }
}
