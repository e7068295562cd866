using OrderRelay.Core;

namespace OrderRelay.Tests.Core;

/// <summary>The per-merchant bookkeeping behind the status page's list of merchants with unconfirmed orders.</summary>
[CancelAfter(10_000)]
public sealed class MerchantActivityTests
{
    private static readonly DateTimeOffset Start = new(2026, 11, 29, 12, 0, 0, TimeSpan.Zero);

    [Test]
    public void PartlyConfirmed_StillWaitingSinceTheFirstUnconfirmedOrder()
    {
        var activity = new MerchantActivity("m-1");

        activity.NotePublished(3, Start);
        activity.NotePublished(7, Start.AddSeconds(5));
        activity.NoteConfirmed(3, Start.AddSeconds(6));

        Assert.That(activity.HasUnconfirmed, Is.True);
        Assert.That(activity.UnconfirmedSince, Is.EqualTo(Start));
    }

    [Test]
    public void FullyConfirmed_NothingWaits_NextOrderStartsANewWait()
    {
        var activity = new MerchantActivity("m-1");
        activity.NotePublished(3, Start);

        activity.NoteConfirmed(3, Start.AddSeconds(1));
        Assert.That(activity.HasUnconfirmed, Is.False);
        Assert.That(activity.UnconfirmedSince, Is.Null);

        activity.NotePublished(9, Start.AddSeconds(30));
        Assert.That(activity.UnconfirmedSince, Is.EqualTo(Start.AddSeconds(30)));
    }

    [Test]
    public void OlderConfirmationArrivingLate_DoesNotMoveTheConfirmedSeqBack()
    {
        var activity = new MerchantActivity("m-1");
        activity.NotePublished(9, Start);

        activity.NoteConfirmed(9, Start.AddSeconds(2));
        activity.NoteConfirmed(4, Start.AddSeconds(3));

        Assert.That(activity.ConfirmedSeq, Is.EqualTo(9));
        Assert.That(activity.ConfirmedAt, Is.EqualTo(Start.AddSeconds(2)));
        Assert.That(activity.HasUnconfirmed, Is.False);
    }
}
