using OrderRelay.Tests.Support;

namespace OrderRelay.Tests.Storage;

/// <summary>
/// A subscriber that keeps reading while a test does other things (so it is never a slow
/// consumer), records every order's seq and, if the relay ends the subscription, the error
/// frame it was told before the close.
/// </summary>
internal sealed class RecordingSubscriber
{
    /// <summary>Longer than any quiet spell of a failover; the relay's keep-alive pings are answered beneath.</summary>
    private static readonly TimeSpan QuietBound = TimeSpan.FromSeconds(60);

    private readonly Lock _gate = new();
    private readonly List<long> _seqs = [];
    private TaskCompletionSource _progress = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private RecordingSubscriber(WsClient client, string? merchantId)
    {
        Client = client;
        MerchantId = merchantId;
        Reading = ReadAsync();
    }

    public WsClient Client { get; }

    /// <summary>The one merchant subscribed to, or null for every merchant.</summary>
    public string? MerchantId { get; }

    /// <summary>Ends when the relay closes the connection (or fails on a frame that breaks the protocol's promises).</summary>
    public Task Reading { get; }

    /// <summary>The error frame's code when the relay ended the subscription.</summary>
    public string? ErrorCode { get; private set; }

    public static async Task<RecordingSubscriber> ConnectAsync(Uri relay, string? merchantId)
    {
        var client = await WsClient.ConnectAsync(relay);
        await client.HelloAsync(merchantId is null
            ? """{"type":"hello","role":"subscriber"}"""
            : $$"""{"type":"hello","role":"subscriber","merchants":["{{merchantId}}"]}""");
        return new RecordingSubscriber(client, merchantId);
    }

    public bool IsEntitledTo(AckedOrder order) => MerchantId is null || MerchantId == order.MerchantId;

    /// <summary>Waits until every one of <paramref name="seqs"/> was received, or the relay closed the subscription.</summary>
    public async Task WaitForAsync(IReadOnlySet<long> seqs)
    {
        while (true)
        {
            Task progress;
            lock (_gate)
            {
                progress = _progress.Task;
                if (seqs.IsSubsetOf(_seqs))
                {
                    return;
                }
            }

            if (Reading.IsCompleted)
            {
                await Reading;
                return;
            }

            await Task.WhenAny(progress, Reading);
        }
    }

    public IReadOnlyList<long> Seqs
    {
        get
        {
            lock (_gate)
            {
                return [.. _seqs];
            }
        }
    }

    private async Task ReadAsync()
    {
        while (await Client.ReceiveOrCloseAsync(QuietBound) is { } frame)
        {
            switch (frame.Type())
            {
                case "order":
                    Record(frame.Seq());
                    break;
                case "error":
                    ErrorCode = frame.Code();
                    break;
                case "pong":
                    break;
                default:
                    Assert.Fail($"A subscriber got an unexpected frame: {frame}");
                    break;
            }
        }

        Signal();
    }

    private void Record(long seq)
    {
        lock (_gate)
        {
            _seqs.Add(seq);
        }

        Signal();
    }

    private void Signal()
    {
        TaskCompletionSource progress;
        lock (_gate)
        {
            progress = _progress;
            _progress = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        progress.SetResult();
    }
}
