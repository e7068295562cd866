using System.Buffers;
using System.IO.Pipelines;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using OrderRelay.Configuration;
using OrderRelay.Core;
using OrderRelay.Diagnostics;
using OrderRelay.Protocol;
using OrderRelay.Security;

namespace OrderRelay.Http;

/// <summary><c>POST /publish</c>: the order is the body; the answer comes once it is stored.</summary>
internal static class PublishEndpoint
{
    public const string IdempotencyKeyHeader = "Idempotency-Key";

    private const string RetryAfterSeconds = "2";

    public static async Task<IResult> HandleAsync(HttpContext context, Relay relay, RelayOptions options, ClientFrameParser parser,
        RelayMetrics metrics, PublisherKeys keys, PublishRateLimits rateLimits)
    {
        if (!BearerKey.Authorizes(context.Request, keys))
        {
            return Problems.For(metrics, StatusCodes.Status401Unauthorized, ErrorCodes.AuthFailed,
                "A valid publisher key is required: Authorization: Bearer <key>.");
        }

        var partition = BearerKey.From(context.Request) is { } bearer ? PublisherKeys.Fingerprint(bearer) : context.Connection.RemoteIpAddress?.ToString() ?? "";
        if (!rateLimits.TryAcquireHttp(partition))
        {
            return Problems.For(metrics, StatusCodes.Status429TooManyRequests, ErrorCodes.RateLimited,
                $"Over {options.Limits.PublishRatePerSecond} publishes a second; this one was not accepted, send it again shortly.");
        }

        var limit = options.MaxMessageBytes;
        if (context.Request.ContentLength > limit)
        {
            return Problems.For(metrics, StatusCodes.Status413PayloadTooLarge, ErrorCodes.TooLarge, $"The body is over the {limit}-byte limit.");
        }

        string? key = context.Request.Headers[IdempotencyKeyHeader];
        if (key is { Length: 0 or > ClientFrameParser.MaxIdentifierLength })
        {
            return Problems.For(metrics, StatusCodes.Status400BadRequest, ErrorCodes.BadFrame,
                $"{IdempotencyKeyHeader} must be 1 to {ClientFrameParser.MaxIdentifierLength} characters long.");
        }

        var reader = context.Request.BodyReader;
        if (await BufferBodyAsync(reader, limit, context.RequestAborted) is not { } body)
        {
            return Problems.For(metrics, StatusCodes.Status413PayloadTooLarge, ErrorCodes.TooLarge, $"The body is over the {limit}-byte limit.");
        }

        ClientFrame order;
        byte[]? orderBytes;
        try
        {
            order = ParseOrder(parser, body, out orderBytes);
        }
        finally
        {
            reader.AdvanceTo(body.End);
        }

        if (order.ProblemCode is { } problem)
        {
            return Problems.For(metrics, StatusCodes.Status400BadRequest, problem, order.ProblemMessage!);
        }

        if (orderBytes is null)
        {
            return Problems.For(metrics, StatusCodes.Status400BadRequest, ErrorCodes.BadFrame, "The body must be the order as a JSON object.");
        }

        var request = new PublishRequest(key, order.OrderMerchantId, orderBytes, keys.IdentityOf(BearerKey.From(context.Request)));
        try
        {
            await relay.SubmitAsync(request, context.RequestAborted);
            var outcome = await request.Task;
            return new Utf8JsonResult(JsonSerializer.SerializeToUtf8Bytes(new PublishResponse(outcome.Seq, outcome.Duplicate), FrameEncoder.Json.PublishResponse));
        }
        catch (PublishFailedException ex)
        {
            var status = Problems.StatusOf(ex.ErrorCode);
            if (status == StatusCodes.Status503ServiceUnavailable)
            {
                // Worth retrying (with the same Idempotency-Key) once the store or another node answers.
                context.Response.Headers.RetryAfter = RetryAfterSeconds;
            }

            return Problems.For(metrics, status, ex.ErrorCode, ex.Message);
        }
    }

    /// <summary>
    /// The whole body, still in the reader's buffers (the caller advances past it), or null as
    /// soon as it passes <paramref name="limit"/> bytes.
    /// </summary>
    private static async Task<ReadOnlySequence<byte>?> BufferBodyAsync(PipeReader reader, int limit, CancellationToken cancellationToken)
    {
        while (true)
        {
            var result = await reader.ReadAsync(cancellationToken);
            if (result.Buffer.Length > limit)
            {
                reader.AdvanceTo(result.Buffer.Start, result.Buffer.End);
                return null;
            }

            if (result.IsCompleted)
            {
                return result.Buffer;
            }

            reader.AdvanceTo(result.Buffer.Start, result.Buffer.End);
        }
    }

    /// <summary>Parses the body where it lies when it arrived in one piece; copies out only the order, which outlives the request.</summary>
    /// <param name="order">The order object's bytes; null unless the body is a JSON object the relay accepts.</param>
    private static ClientFrame ParseOrder(ClientFrameParser parser, in ReadOnlySequence<byte> body, out byte[]? order)
    {
        ReadOnlySpan<byte> utf8 = body.IsSingleSegment ? body.FirstSpan : body.ToArray();
        var frame = parser.ParseOrder(utf8);
        order = frame.ProblemCode is null && frame.Order == OrderField.Object ? utf8[frame.OrderRange].ToArray() : null;
        return frame;
    }
}
