using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using OrderRelay.Client.Wire;

namespace OrderRelay.Client;

/// <summary>
/// <c>POST /publish</c>, used while the socket cannot be had. The publish's id goes as
/// <c>Idempotency-Key</c> (one namespace with the WebSocket id), so a retry over either never counts twice.
/// </summary>
internal sealed class HttpPublisher(RelayPublisherOptions options) : IDisposable
{
    private readonly HttpClient _http = new() { Timeout = options.HttpTimeout };
    private readonly Uri _publishUri = options.ResolvedHttpPublishUri;

    public Uri PublishUri => _publishUri;

    /// <exception cref="RelayException">The relay answered and refused it (the kind says whether retrying can help).</exception>
    /// <exception cref="HttpRequestException">No answer, or the relay is going away: worth another try later.</exception>
    public async Task<PublishReceipt> PublishAsync(PendingPublish publish, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, _publishUri) { Content = new ReadOnlyMemoryContent(publish.Order) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json") { CharSet = "utf-8" };
        request.Headers.Add("Idempotency-Key", publish.Id);
        if (options.Key is { } key)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        }

        HttpResponseMessage response;
        try
        {
            response = await _http.SendAsync(request, cancellationToken).ConfigureAwait(false);
        }
        catch (TaskCanceledException ex) when (!cancellationToken.IsCancellationRequested)
        {
            throw new HttpRequestException($"POST {_publishUri} had no answer within {options.HttpTimeout.TotalSeconds:0.#} s.", ex);
        }

        using (response)
        {
            var body = await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
            if (response.StatusCode == HttpStatusCode.OK)
            {
                var answer = Deserialize(body, ClientJson.Default.HttpPublishAnswer)
                    ?? throw new HttpRequestException($"POST {_publishUri} answered 200 without a seq.");
                return new PublishReceipt(publish.Id, answer.Seq, answer.Duplicate, PublishTransport.Http);
            }

            var problem = Deserialize(body, ClientJson.Default.HttpProblem);
            var status = (int)response.StatusCode;
            var code = problem?.Code ?? CodeOf(response.StatusCode);
            var why = problem?.Detail ?? problem?.Title ?? $"HTTP {status}";
            if (code == "server_shutdown" || (code is null && status >= 500))
            {
                // A proxy's 502, a relay going away: not an answer about this order, so it is sent again.
                throw new HttpRequestException($"POST {_publishUri} answered {status}: {why}", null, response.StatusCode);
            }

            throw PublishErrors.From(code ?? $"http_{status}", $"{why} (HTTP {status})", publish.Id, response.Headers.RetryAfter?.Delta);
        }
    }

    /// <summary>The protocol code for a status whose body did not say one (e.g. from a proxy in front of the relay).</summary>
    private static string? CodeOf(HttpStatusCode status) => status switch
    {
        HttpStatusCode.Unauthorized => "auth_failed",
        HttpStatusCode.TooManyRequests => "rate_limited",
        HttpStatusCode.RequestEntityTooLarge => "too_large",
        HttpStatusCode.BadRequest => "bad_frame",
        _ => null,
    };

    private static T? Deserialize<T>(byte[] body, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> typeInfo)
    {
        try
        {
            return body.Length == 0 ? default : JsonSerializer.Deserialize(body, typeInfo);
        }
        catch (JsonException)
        {
            return default;
        }
    }

    public void Dispose() => _http.Dispose();
}
