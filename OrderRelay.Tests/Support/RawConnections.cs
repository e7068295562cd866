using System.Net;
using System.Text.Json;

namespace OrderRelay.Tests.Support;

/// <summary>Raw connections to one relay, kept open for a test's length and closed together.</summary>
internal sealed class RawConnections(RelayServer relay) : IDisposable
{
    private readonly List<RawHttpConnection> _open = [];

    public async Task<RawHttpConnection> OpenAsync(IPAddress from)
    {
        var connection = await RawHttpConnection.OpenAsync(relay.HttpBase, from);
        _open.Add(connection);
        return connection;
    }

    /// <summary>Upgrades from <paramref name="from"/> and says hello as a subscriber; the relay's answer.</summary>
    public async Task<JsonElement> HelloAsync(IPAddress from, params string[] headers) => await (await OpenAsync(from)).UpgradeAndHelloAsync(headers);

    /// <summary>
    /// Sends an upgrade head and returns the connection, open and silent, with the response
    /// head (and, for a refusal, the reason the relay writes as its body).
    /// </summary>
    public async Task<(RawHttpConnection Connection, string Answer)> UpgradeAsync(IPAddress from, params string[] headers)
    {
        var connection = await OpenAsync(from);
        await connection.WriteAsync(RawHttpConnection.UpgradeHead(extraHeaders: headers));
        var answer = await connection.ReadHeadAsync();
        if (!answer.StartsWith("HTTP/1.1 101 ", StringComparison.Ordinal))
        {
            var body = new byte[1024];
            var read = await connection.Stream.ReadAsync(body).AsTask().WaitAsync(WsClient.DefaultWait);
            answer += System.Text.Encoding.UTF8.GetString(body, 0, read);
        }

        return (connection, answer);
    }

    public void Dispose() => _open.ForEach(connection => connection.Dispose());
}
