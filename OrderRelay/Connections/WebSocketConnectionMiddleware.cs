using System.Buffers;
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
/// idle connection's memory. Here a well-formed upgrade on the relay's path that
/// <see cref="ConnectionAdmission"/> admits gets its 101 at once and
/// <see cref="WebSocket.CreateFromStream(Stream, WebSocketCreationOptions)"/> over the transport;
/// anything else (other requests, refusals, unusual heads, HTTP/2, a head not complete within
/// <c>Relay:HandshakeTimeout</c>) is handed to Kestrel with every byte unread, so Kestrel reads
/// it at once and serves it as any request, through <see cref="WebSocketEndpoint"/> on the relay's path.
/// </summary>
internal sealed class WebSocketConnectionMiddleware(ConnectionDelegate next, RelayConnectionServices services)
{
    public async Task OnConnectionAsync(ConnectionContext connection)
    {
        if (connection.Features.Get<ITlsApplicationProtocolFeature>() is { } tls && !tls.ApplicationProtocol.IsEmpty &&
            !tls.ApplicationProtocol.Span.SequenceEqual("http/1.1"u8))
        {
            await next(connection);
            return;
        }

        var (request, admission, examinedHead) = await ReadHeadAsync(connection);
        if (request is null)
        {
            await (examinedHead is null ? next(connection) : HandBackExaminedAsync(connection, examinedHead));
            return;
        }

        // One method from here to the end, not a chain of them: each awaiting frame is kept for the socket's life.
        using (admission.Lease)
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
            var ending = await WebSocketEndpoint.RunAsync(socket, admission, services);
            if (ending == ReceiveEnding.PeerBrokeProtocol)
            {
                // ManagedWebSocket's close (1002, 1007) may still be in the transport's pipe: the
                // transport closes gracefully so that it goes out, unless the peer will not take it.
                DropAfter(connection, services.Options.CloseTimeout, services.Time);
            }
            else if (socket.State == WebSocketState.Aborted)
            {
                // Dropped, not closed: what is still queued for the peer is not worth waiting for.
                connection.Abort();
            }
        }
    }

    private static void DropAfter(ConnectionContext connection, TimeSpan timeout, TimeProvider time)
    {
        var drop = time.CreateTimer(static state => ((ConnectionContext)state!).Abort(), connection, timeout, Timeout.InfiniteTimeSpan);
        connection.ConnectionClosed.Register(static state => ((ITimer)state!).Dispose(), drop);
    }

    /// <summary>
    /// Reads until the head is complete or clearly not the relay's. An admitted upgrade's head
    /// is consumed. Otherwise nothing is: the reader is left so that Kestrel's first read
    /// returns at once with the same bytes, unless the wait itself ended (timeout, server
    /// stopping) with every byte examined, when those bytes are returned to be handed back.
    /// </summary>
    private async Task<(UpgradeRequest? Request, Admission Admission, byte[]? ExaminedHead)> ReadHeadAsync(ConnectionContext connection)
    {
        var input = connection.Transport.Input;
        // Kestrel asks its connections to close when the server stops; one that has sent no request
        // yet (a browser's preconnected socket) must not hold shutdown up for the whole head timeout.
        var closing = connection.Features.Get<IConnectionLifetimeNotificationFeature>()?.ConnectionClosedRequested ?? CancellationToken.None;
        using var deadline = new CancellationTokenSource(services.Options.HandshakeTimeout, services.Time);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(closing, deadline.Token);
        byte[]? examinedHead = null;
        while (true)
        {
            ReadResult result;
            try
            {
                result = await input.ReadAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                return (null, default, examinedHead);
            }

            var buffer = result.Buffer;
            var verdict = UpgradeRequest.Parse(buffer, services.Options.Path, out var request);
            if (verdict == UpgradeVerdict.NeedMore && !result.IsCompleted && !result.IsCanceled)
            {
                examinedHead = buffer.ToArray();
                input.AdvanceTo(buffer.Start, buffer.End);
                continue;
            }

            if (verdict == UpgradeVerdict.Upgrade && Admit(connection, request!) is { Lease: not null } admission)
            {
                input.AdvanceTo(buffer.GetPosition(request!.HeadLength));
                return (request, admission, null);
            }

            // The examined mark may not move back; it stays where the last wait left it, short of the
            // end, so Kestrel's first read does not wait for more.
            input.AdvanceTo(buffer.Start, buffer.GetPosition(examinedHead?.Length ?? 0));
            return (null, default, null);
        }
    }

    private Admission Admit(ConnectionContext connection, UpgradeRequest request)
    {
        var client = services.ClientAddresses.Resolve((connection.RemoteEndPoint as IPEndPoint)?.Address, request.ForwardedFor, request.ForwardedProto);
        return services.Admission.Admit(client, request.Origin);
    }

    /// <summary>
    /// Kestrel's turn with a head the edge gave up waiting on. Those bytes were examined, so the
    /// transport would make Kestrel wait for new ones under its keep-alive timeout (minutes);
    /// instead Kestrel reads them at once from a pipe that replays them, followed by whatever
    /// arrives next, and applies its request-head timeout from now.
    /// </summary>
    private async Task HandBackExaminedAsync(ConnectionContext connection, byte[] examinedHead)
    {
        var transport = connection.Transport;
        var replay = new Pipe(new PipeOptions(useSynchronizationContext: false));
        replay.Writer.Write(examinedHead);
        var pumping = PumpAfterAsync(transport.Input, replay.Writer, skip: examinedHead.Length);
        connection.Transport = new DuplexPipe(replay.Reader, transport.Output);
        try
        {
            await next(connection);
        }
        finally
        {
            connection.Transport = transport;
            transport.Input.CancelPendingRead();
            await pumping;
        }
    }

    /// <summary>Copies the transport's input into <paramref name="output"/>, leaving out the first <paramref name="skip"/> bytes, already there.</summary>
    private static async Task PumpAfterAsync(PipeReader input, PipeWriter output, long skip)
    {
        try
        {
            while (true)
            {
                var flushed = await output.FlushAsync();
                if (flushed.IsCompleted)
                {
                    return;
                }

                var result = await input.ReadAsync();
                var fresh = result.Buffer.Slice(Math.Min(skip, result.Buffer.Length));
                skip -= result.Buffer.Length - fresh.Length;
                foreach (var segment in fresh)
                {
                    output.Write(segment.Span);
                }

                input.AdvanceTo(result.Buffer.End);
                if (result.IsCompleted || result.IsCanceled)
                {
                    return;
                }
            }
        }
        catch (Exception ex) when (ex is IOException or OperationCanceledException or ObjectDisposedException or InvalidOperationException)
        {
            // The connection is over; Kestrel has already answered or closed it.
        }
        finally
        {
            await output.CompleteAsync();
        }
    }

    private sealed class DuplexPipe(PipeReader input, PipeWriter output) : IDuplexPipe
    {
        public PipeReader Input { get; } = input;

        public PipeWriter Output { get; } = output;
    }
}
