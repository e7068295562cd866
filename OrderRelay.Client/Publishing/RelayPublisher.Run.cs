using OrderRelay.Client.Wire;

namespace OrderRelay.Client;

public sealed partial class RelayPublisher
{
    /// <summary>
    /// The connection loop, started by the first publish:
    /// 1. wait until something is to be sent (an idle publisher holds no reconnect loop);
    /// 2. connect and say hello; a refused key ends everything;
    /// 3. run a session until the connection drops; unanswered publishes wait to be resent;
    /// 4. when the socket cannot be had, back off, serving publishes over HTTP meanwhile.
    /// </summary>
    private async Task RunAsync(CancellationToken stopping)
    {
        var backoff = new Backoff(_options.ReconnectDelay, _options.MaxReconnectDelay);
        var hello = new HelloFrame("publisher", _options.Key);
        try
        {
            // 1.
            while (await _queue.WaitForWorkAsync(stopping).ConfigureAwait(false))
            {
                if (!_options.UseWebSocket)
                {
                    await PublishOverHttpOnlyAsync(backoff, stopping).ConfigureAwait(false);
                    continue;
                }

                FrameChannel channel;
                try
                {
                    // 2.
                    (channel, var welcome) = await RelayConnector.ConnectAsync(_options, hello, stopping).ConfigureAwait(false);
                    Log.Connected(_logger, _options.RelayUri!, welcome.ConnectionId, _queue.ResendCount);
                }
                catch (Exception ex) when (!RelayConnector.IsFinal(ex) && !stopping.IsCancellationRequested)
                {
                    // 4.
                    var delay = backoff.Next();
                    Log.ConnectFailed(_logger, _options.RelayUri!, ex.Message, backoff.Failures, delay);
                    if (_http is null)
                    {
                        await Task.Delay(delay, _options.TimeProvider, stopping).ConfigureAwait(false);
                    }
                    else
                    {
                        await WaitServingOverHttpAsync(delay, stopping).ConfigureAwait(false);
                    }

                    continue;
                }

                // 3.
                backoff.Reset();
                var reason = await new PublisherSession(channel, _queue).RunAsync(stopping).ConfigureAwait(false);
                if (!stopping.IsCancellationRequested)
                {
                    var delay = backoff.Next();
                    Log.Disconnected(_logger, reason, _queue.ResendCount, delay);
                    await Task.Delay(delay, _options.TimeProvider, stopping).ConfigureAwait(false);
                }
            }
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
            // Disposed: DisposeAsync ends what still waits.
        }
        catch (RelayException ex)
        {
            Log.Refused(_logger, ex.Code, ex.Message);
            _final = ex;
            _queue.FailAll(ex);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // Whatever went wrong here, no caller may be left waiting for an answer that cannot come.
            var failed = new RelayException("client_error", $"The publisher's connection loop failed: {ex.Message}", ex);
            Log.LoopFailed(_logger, ex);
            _final = failed;
            _queue.FailAll(failed);
        }
    }

    /// <summary>
    /// Waits <paramref name="delay"/> before the next connection attempt, publishing meanwhile over
    /// <c>POST /publish</c> until that too fails (then that publish waits, first in line).
    /// </summary>
    private async Task WaitServingOverHttpAsync(TimeSpan delay, CancellationToken stopping)
    {
        using var waited = CancellationTokenSource.CreateLinkedTokenSource(stopping);
        waited.CancelAfter(delay);
        try
        {
            await PublishOverHttpUntilFailureAsync(waited.Token, stopping).ConfigureAwait(false);
            await Task.Delay(Timeout.InfiniteTimeSpan, _options.TimeProvider, waited.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!stopping.IsCancellationRequested)
        {
            // The delay is over: time to try the socket again.
        }
    }

    /// <summary>With <see cref="RelayPublisherOptions.UseWebSocket"/> off: publishes over HTTP, backing off after each failure.</summary>
    private async Task PublishOverHttpOnlyAsync(Backoff backoff, CancellationToken stopping)
    {
        if (await PublishOverHttpUntilFailureAsync(stopping, stopping).ConfigureAwait(false))
        {
            await Task.Delay(backoff.Next(), _options.TimeProvider, stopping).ConfigureAwait(false);
        }
        else
        {
            backoff.Reset();
        }
    }

    /// <summary>Publishes queued orders over HTTP until the queue is done, <paramref name="taking"/> ends, or a request fails (returns true).</summary>
    private async Task<bool> PublishOverHttpUntilFailureAsync(CancellationToken taking, CancellationToken stopping)
    {
        while (await _queue.TakeAsync(taking).ConfigureAwait(false) is { } publish)
        {
            try
            {
                publish.Complete(await _http!.PublishAsync(publish, stopping).ConfigureAwait(false));
            }
            catch (RelayAuthenticationException ex)
            {
                publish.Fail(ex);
                throw;
            }
            catch (RelayException ex)
            {
                publish.Fail(ex);
            }
            catch (HttpRequestException ex)
            {
                _queue.ReturnUnanswered([publish]);
                Log.HttpFailed(_logger, _http!.PublishUri, ex.Message, _queue.ResendCount);
                return true;
            }
            catch (OperationCanceledException)
            {
                _queue.ReturnUnanswered([publish]); // so that disposing ends it
                throw;
            }
        }

        return false;
    }
}
