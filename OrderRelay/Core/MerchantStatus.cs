namespace OrderRelay.Core;

internal sealed record MerchantStatus(string MerchantId, int Online, long DeliveredSeq, long ConfirmedSeq, DateTimeOffset? ConfirmedAt);
