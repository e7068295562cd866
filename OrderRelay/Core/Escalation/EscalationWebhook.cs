using System.Net.Http.Headers;
using System.Text;
using OrderRelay.Configuration;

namespace OrderRelay.Core.Escalation;

/// <summary>POSTs one signed escalation; true only when the receiver answered 2xx.</summary>
internal sealed class EscalationWebhook(EscalationOptions options, TimeProvider time) : IDisposable
{
    private readonly HttpClient _http = new() { Timeout = options.RequestTimeout };
    private readonly Uri _url = new(options.WebhookUrl);
    private readonly byte[] _secret = Encoding.UTF8.GetBytes(options.Secret);

    public async Task<WebhookAnswer> PostAsync(byte[] body, string deliveryId, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, _url) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json") { CharSet = "utf-8" };
        request.Headers.TryAddWithoutValidation(WebhookSignature.Header, WebhookSignature.Sign(_secret, time.GetUtcNow(), body));
        request.Headers.TryAddWithoutValidation(WebhookSignature.DeliveryHeader, deliveryId);
        try
        {
            using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
            return new WebhookAnswer(response.IsSuccessStatusCode, (int)response.StatusCode, null);
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            return new WebhookAnswer(false, null, ex);
        }
    }

    public void Dispose() => _http.Dispose();
}

/// <param name="Status">Null when no answer came (refused, timed out).</param>
internal readonly record struct WebhookAnswer(bool Taken, int? Status, Exception? Failure);
