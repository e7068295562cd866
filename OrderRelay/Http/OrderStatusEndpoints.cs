using Microsoft.AspNetCore.Http;
using OrderRelay.Core;
using OrderRelay.Diagnostics;
using OrderRelay.Protocol;
using OrderRelay.Security;
using OrderRelay.Storage;

namespace OrderRelay.Http;

/// <summary><c>GET /orders/{id}</c> (by idempotency key) and <c>GET /orders/seq/{seq}</c>: what became of one order (docs/receipts.md).</summary>
internal static class OrderStatusEndpoints
{
    public static async Task<IResult> ByKeyAsync(string id, HttpRequest request, IOrderTracking tracking, Relay relay, RelayMetrics metrics, PublisherKeys keys,
        CancellationToken cancellationToken)
    {
        if (!BearerKey.Authorizes(request, keys))
        {
            return Unauthorized(metrics);
        }

        if (id.Length > ClientFrameParser.MaxIdentifierLength)
        {
            return Problems.For(metrics, StatusCodes.Status400BadRequest, ErrorCodes.BadFrame,
                $"An idempotency key is at most {ClientFrameParser.MaxIdentifierLength} characters long.");
        }

        var seq = await tracking.FindSeqOfKeyAsync(id, cancellationToken);
        return seq is { } found
            ? await AnswerAsync(found, tracking, relay, metrics, cancellationToken)
            : NotFound(metrics, $"No kept order was published with the idempotency key '{id}'.");
    }

    public static async Task<IResult> BySeqAsync(string seq, HttpRequest request, IOrderTracking tracking, Relay relay, RelayMetrics metrics, PublisherKeys keys,
        CancellationToken cancellationToken)
    {
        if (!BearerKey.Authorizes(request, keys))
        {
            return Unauthorized(metrics);
        }

        if (!long.TryParse(seq, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var number) || number < 1)
        {
            return Problems.For(metrics, StatusCodes.Status400BadRequest, ErrorCodes.BadFrame, "A seq is a positive integer.");
        }

        return await AnswerAsync(number, tracking, relay, metrics, cancellationToken);
    }

    private static async Task<IResult> AnswerAsync(long seq, IOrderTracking tracking, Relay relay, RelayMetrics metrics, CancellationToken cancellationToken)
    {
        if (await tracking.FindOrderAsync(seq, cancellationToken) is not { } order)
        {
            return NotFound(metrics, $"The relay keeps no order with seq {seq} in epoch {relay.Epoch}.");
        }

        var body = new OrderStatusResponse(order.Seq, order.IdempotencyKey, order.MerchantId, FrameEncoder.Timestamp(order.AcceptedAt), order.OnlineAtAcceptance,
            relay.FindDeliveries(seq), FrameEncoder.Timestamp(order.ConfirmedAt), FrameEncoder.Timestamp(order.MerchantAcceptedAt), FrameEncoder.Timestamp(order.EscalatedAt));
        return Results.Json(body, FrameEncoder.Json.OrderStatusResponse);
    }

    private static IResult Unauthorized(RelayMetrics metrics) => Problems.For(metrics, StatusCodes.Status401Unauthorized, ErrorCodes.AuthFailed,
        "A valid publisher key is required: Authorization: Bearer <key>.");

    private static IResult NotFound(RelayMetrics metrics, string detail) => Problems.For(metrics, StatusCodes.Status404NotFound, ErrorCodes.NotFound, detail);
}
