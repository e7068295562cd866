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
        var online = 0;
        var candidates = new List<(MerchantActivity Activity, DateTimeOffset Since)>();
        lock (_gate)
        {
            foreach (var activity in _ledger.All)
            {
                if (activity.Online > 0)
                {
                    online++;
                }

                if (activity.HasUnconfirmed)
                {
                    candidates.Add((activity, activity.UnconfirmedSince ?? DateTimeOffset.MinValue));
                }
            }
        }

        candidates.Sort((a, b) => a.Since.CompareTo(b.Since));
        var waiting = new List<MerchantBacklog>();
        var confirmedElsewhere = 0;
        foreach (var (activity, _) in candidates.Take(MaxConfirmationLookups))
        {
            if (waiting.Count == limit)
            {
                break;
            }

            var stored = await _store.GetConfirmationAsync(activity.MerchantId, cancellationToken).ConfigureAwait(false);
            lock (_gate)
            {
                if (stored is not null)
                {
                    activity.NoteConfirmed(stored.Seq, stored.ConfirmedAt);
                }

                if (!activity.HasUnconfirmed)
                {
                    confirmedElsewhere++;
                    continue;
                }

                waiting.Add(new MerchantBacklog(activity.MerchantId, activity.Online, activity.PublishedSeq, activity.DeliveredSeq,
                    activity.ConfirmedSeq, activity.ConfirmedAt, activity.UnconfirmedSince));
            }
        }

        return new MerchantOverview(online, candidates.Count - confirmedElsewhere, waiting);
    }

    /// <summary>Keeps the ledger's view of confirmations current, for <see cref="GetMerchantOverviewAsync"/>.</summary>
    private void NoteConfirmed(string merchantId, long seq, DateTimeOffset confirmedAt)
    {
        lock (_gate)
        {
            _ledger.Find(merchantId)?.NoteConfirmed(seq, confirmedAt);
        }
    }
}
