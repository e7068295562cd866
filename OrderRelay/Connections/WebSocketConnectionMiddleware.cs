using System.IO.Pipelines;
using System.Net;
using System.Net.WebSockets;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core.Features;

namespace OrderRelay.Connections;

/// <summary>
/// The relay's WebSocket upgrades, answered before Kestrel's HTTP layer sees the connection.
/// An upgraded socket lives for hours but says almost nothing; served through the HTTP
/// request pipeline it keeps that request's objects (connection, parser, header collections,
/// hosting context, a chain of awaiting middleware) for its whole life, more than half of an
/// idle connection's memory. Here a well-formed upgrade on the relay's path that would be
/// admitted gets its 101 at once and <see cref="WebSocket.CreateFromStream(Stream, WebSocketCreationOptions)"/>
/// over the transport; anything else (other requests, refusals, unusual heads, HTTP/2) is
/// left unread and handed to Kestrel, which serves it as before, through <see cref="WebSocketEndpoint"/>.
/// </summary>
internal sealed class WebSocketConnectionMiddleware(ConnectionDelegate next, RelayConnectionServices services, TimeSpan headTimeout)
{
    public async Task OnConnectionAsync(ConnectionContext connection)
    {
        if (connection.Features.Get<ITlsApplicationProtocolFeature>() is { } tls && !tls.ApplicationProtocol.IsEmpty &&
            !tls.ApplicationProtocol.Span.SequenceEqual("http/1.1"u8))
        {
            await next(connection);
            return;
        }

        var admitted = await ReadHeadAsync(connection);
        if (admitted is not var (request, lease))
        {
            await next(connection);
            return;
        }

        // One method from here to the end, not a chain of them: each awaiting frame is kept for the socket's life.
        using (lease)
        {
            try
            {
                if ((await connection.Transport.Output.WriteAsync(request.SwitchingProtocolsResponse())).IsCompleted)
                {
                    return;
                }
            }
            catch (Exception ex) when (ex is IOException or OperationCanceledException or ObjectDisposedException)
            {
                // The client left before its upgrade was answered.
                return;
            }

            using var socket = WebSocket.CreateFromStream(new DuplexPipeStream(connection.Transport), new WebSocketCreationOptions
            {
                IsServer = true,
                KeepAliveInterval = services.Options.KeepAliveInterval,
                KeepAliveTimeout = services.Options.KeepAliveTimeout,
            });
            await WebSocketEndpoint.RunAsync(socket, services.Registry, services);
            if (socket.State == WebSocketState.Aborted)
            {
                // Dropped, not closed: what is still queued for the peer is not worth waiting for.
                connection.Abort();
            }
        }
    }

    /// <summary>
    /// Reads until the head is complete or clearly not the relay's. An admitted upgrade's head
    /// is consumed; otherwise nothing is, and the reader is left so that Kestrel's first read
    /// returns at once with the same bytes.
    /// </summary>
    private async Task<(UpgradeRequest Request, IDisposable Lease)?> ReadHeadAsync(ConnectionContext connection)
    {
        var input = connection.Transport.Input;
        // Kestrel asks its connections to close when the server stops; one that has sent no request
        // yet (a browser's preconnected socket) must not hold shutdown up for the whole head timeout.
        var closing = connection.Features.Get<IConnectionLifetimeNotificationFeature>()?.ConnectionClosedRequested ?? CancellationToken.None;
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(closing);
        timeout.CancelAfter(headTimeout);
        long examined = 0;
        while (true)
        {
            ReadResult result;
            try
            {
                result = await input.ReadAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                // A client slow to send its head is Kestrel's to time out, as any other; a closing
                // connection is Kestrel's to close.
                return null;
            }

            var buffer = result.Buffer;
            var verdict = UpgradeRequest.Parse(buffer, services.Options.Path, out var request);
            if (verdict == UpgradeVerdict.NeedMore && !result.IsCompleted && !result.IsCanceled)
            {
                examined = buffer.Length;
                input.AdvanceTo(buffer.Start, buffer.End);
                continue;
            }

            if (verdict == UpgradeVerdict.Upgrade && Admit(connection, request!) is { } lease)
            {
                input.AdvanceTo(buffer.GetPosition(request!.HeadLength));
                return (request, lease);
            }

            // The examined mark may not move back; it stays where the last wait left it, short of the
            // end, so the next read does not wait for more.
            input.AdvanceTo(buffer.Start, buffer.GetPosition(examined));
            return null;
        }
    }

    /// <summary>The checks of <see cref="WebSocketEndpoint"/>; a refused request goes there to get its answer.</summary>
    private IDisposable? Admit(ConnectionContext connection, UpgradeRequest request)
    {
        if (!services.Registry.IsAccepting || !WebSocketEndpoint.IsAllowedOrigin(request.Origin, services.Options.AllowedOrigins))
        {
            return null;
        }

        return services.Limiter.TryAdmit((connection.RemoteEndPoint as IPEndPoint)?.Address).Lease;
    }
}
