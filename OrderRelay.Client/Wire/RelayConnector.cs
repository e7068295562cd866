using System.Net.WebSockets;

namespace OrderRelay.Client.Wire;

/// <summary>Opens a socket to the relay, says <c>hello</c> and waits for the <c>welcome</c>, within the connect timeout.</summary>
internal static class RelayConnector
{
    /// <summary>Codes after which the same hello can never succeed: reconnecting would only repeat them.</summary>
    private static readonly HashSet<string> FinalHelloRefusals = ["auth_failed", "bad_frame", "handshake_required"];

    /// <exception cref="RelayAuthenticationException">The key or token was refused.</exception>
    /// <exception cref="RelayException">The hello itself was refused (a bad setting); other errors are worth a retry.</exception>
    public static async Task<(FrameChannel Channel, ServerFrame Welcome)> ConnectAsync(RelayClientOptions options, HelloFrame hello,
        CancellationToken cancellationToken)
    {
        using var bound = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        bound.CancelAfter(options.ConnectTimeout);
        var socket = new ClientWebSocket();
        socket.Options.KeepAliveInterval = options.KeepAliveInterval;
        if (options.KeepAliveInterval > TimeSpan.Zero)
        {
            socket.Options.KeepAliveTimeout = options.KeepAliveTimeout;
        }

        options.ConfigureWebSocket?.Invoke(socket.Options);
        var channel = new FrameChannel(socket, options.MaxMessageBytes);
        try
        {
            await socket.ConnectAsync(options.RelayUri!, bound.Token).ConfigureAwait(false);
            await channel.SendAsync(hello, ClientJson.Default.HelloFrame, bound.Token).ConfigureAwait(false);
            var answer = await channel.ReceiveAsync(bound.Token).ConfigureAwait(false)
                ?? throw new WebSocketException(WebSocketError.ConnectionClosedPrematurely,
                    $"The relay closed the connection before its welcome ({socket.CloseStatus} {socket.CloseStatusDescription}).");
            if (answer.Type == "welcome")
            {
                return (channel, answer);
            }

            throw Refusal(answer);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            await channel.CloseAsync(TimeSpan.Zero).ConfigureAwait(false);
            throw new TimeoutException($"No welcome from the relay within {options.ConnectTimeout.TotalSeconds:0.#} s.");
        }
        catch
        {
            await channel.CloseAsync(TimeSpan.Zero).ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>True for a failure that reconnecting cannot cure.</summary>
    public static bool IsFinal(Exception exception) => exception is RelayException;

    private static Exception Refusal(ServerFrame answer)
    {
        var code = answer.Code ?? "unknown";
        var message = $"The relay refused the hello: {code}: {answer.Message}";
        return code switch
        {
            "auth_failed" => new RelayAuthenticationException(message),
            _ when FinalHelloRefusals.Contains(code) => new RelayException(code, message),
            // server_shutdown and the like: another try (or another node) may well succeed.
            _ => new WebSocketException(WebSocketError.Faulted, message),
        };
    }
}
