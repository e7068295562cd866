using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;

namespace OrderRelay.Tests.Support;

/// <summary>
/// A loopback TCP forwarder in front of the relay whose connections a test can cut, as a
/// network drop would, and whose new connections it can refuse for a while, all without
/// touching the relay (which keeps its history, so resumption is tested honestly).
/// </summary>
internal sealed class TcpProxy : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly IPEndPoint _target;
    private readonly ConcurrentDictionary<TcpClient, TcpClient> _links = new();
    private readonly CancellationTokenSource _stopping = new();
    private readonly Task _accepting;
    private volatile bool _refusing;

    public TcpProxy(Uri target)
    {
        _target = new IPEndPoint(IPAddress.Parse(target.Host), target.Port);
        _listener.Start();
        _accepting = AcceptAsync();
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    /// <summary>Cuts every open connection and refuses new ones until <see cref="Restore"/>.</summary>
    public void DropAllAndRefuse()
    {
        _refusing = true;
        foreach (var (inbound, outbound) in _links)
        {
            inbound.Close();
            outbound.Close();
        }
    }

    public void Restore() => _refusing = false;

    private async Task AcceptAsync()
    {
        while (!_stopping.IsCancellationRequested)
        {
            TcpClient inbound;
            try
            {
                inbound = await _listener.AcceptTcpClientAsync(_stopping.Token);
            }
            catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }

            if (_refusing)
            {
                inbound.Client.LingerState = new LingerOption(true, 0);
                inbound.Close();
                continue;
            }

            _ = LinkAsync(inbound);
        }
    }

    private async Task LinkAsync(TcpClient inbound)
    {
        var outbound = new TcpClient();
        try
        {
            await outbound.ConnectAsync(_target, _stopping.Token);
            _links[inbound] = outbound;
            using var either = CancellationTokenSource.CreateLinkedTokenSource(_stopping.Token);
            var up = inbound.GetStream().CopyToAsync(outbound.GetStream(), either.Token);
            var down = outbound.GetStream().CopyToAsync(inbound.GetStream(), either.Token);
            await Task.WhenAny(up, down);
            await either.CancelAsync();
        }
        catch (Exception ex) when (ex is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
        {
            // A cut link ends here; both ends are closed below.
        }
        finally
        {
            _links.TryRemove(inbound, out _);
            inbound.Close();
            outbound.Close();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        _listener.Stop();
        DropAllAndRefuse();
        await _accepting;
        _stopping.Dispose();
    }
}
