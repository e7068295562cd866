using Microsoft.AspNetCore.Http;

namespace OrderRelay.Security;

/// <summary>Reads the publisher key of an HTTP request from <c>Authorization: Bearer</c>.</summary>
internal static class BearerKey
{
    private const string Scheme = "Bearer ";

    public static string? From(HttpRequest request)
    {
        string? header = request.Headers.Authorization;
        return header is not null && header.StartsWith(Scheme, StringComparison.OrdinalIgnoreCase) ? header[Scheme.Length..].Trim() : null;
    }

    /// <summary>True when the request may act as a publisher: keys are not required, or it presents one.</summary>
    public static bool Authorizes(HttpRequest request, PublisherKeys keys) => !keys.Required || keys.Accepts(From(request));
}
