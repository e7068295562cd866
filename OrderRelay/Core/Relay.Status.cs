namespace OrderRelay.Core;

internal sealed partial class Relay
{
    /// <summary>Store look-ups one overview may make, so a page of waiting merchants costs a bounded amount however many there are.</summary>
    private const int MaxConfirmationLookups = 200;

    /// <summary>
    /// The merchants this relay has seen with orders not yet confirmed, longest waiting first, at
    /// most <paramref name="limit"/>. Each listed one is checked against the store, which also
    /// holds confirmations made through other nodes of a shared store.
    /// </summary>
    public async ValueTask<MerchantOverview> GetMerchantOverviewAsync(int limit, CancellationToken cancellationToken)
    {
        var (online, unconfirmed) = _fanOut.SurveyMerchants();
        var waiting = new List<MerchantBacklog>();
        var confirmedElsewhere = 0;
        foreach (var activity in unconfirmed.Take(MaxConfirmationLookups))
        {
            if (waiting.Count == limit)
            {
                break;
            }

            var stored = await _store.GetConfirmationAsync(activity.MerchantId, cancellationToken).ConfigureAwait(false);
            if (_fanOut.Reconcile(activity, stored?.Seq, stored?.ConfirmedAt) is { } backlog)
            {
                waiting.Add(backlog);
            }
            else
            {
                confirmedElsewhere++;
            }
        }

        return new MerchantOverview(online, unconfirmed.Count - confirmedElsewhere, waiting);
    }
}
