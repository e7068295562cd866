namespace OrderRelay.Core;

/// <summary>A merchant with orders no page has confirmed yet, as the status page lists it.</summary>
internal sealed record MerchantBacklog(string MerchantId, int Online, long PublishedSeq, long DeliveredSeq, long ConfirmedSeq,
    DateTimeOffset? ConfirmedAt, DateTimeOffset? UnconfirmedSince);

/// <summary>How many merchants have a page online, and those with unconfirmed orders, longest waiting first.</summary>
internal sealed record MerchantOverview(int Online, int WaitingCount, IReadOnlyList<MerchantBacklog> Waiting);
