using System.Buffers;

namespace OrderRelay.Connections;

/// <summary>
/// The upgraded connection stream with write coalescing. The WebSocket writes each frame
/// separately, and Kestrel flushes (one send syscall) per write; while the send loop drains a
/// burst of ready frames it opens a coalescing window, so those frames leave in writes of up
/// to <see cref="BufferSize"/> bytes, and closes it (flushing) once the queue has nothing
/// ready. Outside a window every write goes straight through. The buffer is rented only
/// while a window holds bytes, so an idle connection holds none.
/// </summary>
internal sealed class CoalescingStream(Stream inner) : Stream
{
    /// <summary>Large enough for ~25 typical order frames per send, small enough to keep the first byte prompt.</summary>
    public const int BufferSize = 16 * 1024;

    // Writes come from the send loop and from the WebSocket's own keep-alive pings: one at a time.
    private readonly SemaphoreSlim _gate = new(1, 1);
    private byte[]? _pending;
    private int _pendingLength;
    private volatile bool _coalescing;

    public override bool CanRead => inner.CanRead;

    public override bool CanSeek => false;

    public override bool CanWrite => inner.CanWrite;

    public override long Length => throw new NotSupportedException();

    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    /// <summary>Writes are held back until <see cref="EndCoalescingAsync"/> (or until the buffer is full).</summary>
    public void BeginCoalescing() => _coalescing = true;

    /// <summary>Sends whatever the window gathered; later writes go straight through again.</summary>
    public async ValueTask EndCoalescingAsync()
    {
        _coalescing = false;
        await _gate.WaitAsync().ConfigureAwait(false);
        try
        {
            await FlushPendingAsync(CancellationToken.None).ConfigureAwait(false);
        }
        finally
        {
            _gate.Release();
        }
    }

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_coalescing && buffer.Length <= BufferSize)
            {
                if (_pendingLength + buffer.Length > BufferSize)
                {
                    await FlushPendingAsync(cancellationToken).ConfigureAwait(false);
                }

                _pending ??= ArrayPool<byte>.Shared.Rent(BufferSize);
                buffer.Span.CopyTo(_pending.AsSpan(_pendingLength));
                _pendingLength += buffer.Length;
                return;
            }

            await FlushPendingAsync(cancellationToken).ConfigureAwait(false);
            await inner.WriteAsync(buffer, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _gate.Release();
        }
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override void Write(byte[] buffer, int offset, int count) => WriteAsync(buffer, offset, count, CancellationToken.None).GetAwaiter().GetResult();

    public override async Task FlushAsync(CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await FlushPendingAsync(cancellationToken).ConfigureAwait(false);
            await inner.FlushAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _gate.Release();
        }
    }

    public override void Flush() => FlushAsync(CancellationToken.None).GetAwaiter().GetResult();

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) => inner.ReadAsync(buffer, cancellationToken);

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) => inner.ReadAsync(buffer, offset, count, cancellationToken);

    public override int Read(byte[] buffer, int offset, int count) => inner.Read(buffer, offset, count);

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            inner.Dispose();
            ReturnBuffer();
        }

        base.Dispose(disposing);
    }

    public override async ValueTask DisposeAsync()
    {
        await inner.DisposeAsync().ConfigureAwait(false);
        ReturnBuffer();
        await base.DisposeAsync().ConfigureAwait(false);
    }

    /// <summary>Writes the gathered bytes and gives the buffer back; the caller holds the gate.</summary>
    private async ValueTask FlushPendingAsync(CancellationToken cancellationToken)
    {
        if (_pending is not { } pending)
        {
            return;
        }

        try
        {
            await inner.WriteAsync(pending.AsMemory(0, _pendingLength), cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _pendingLength = 0;
            _pending = null;
            ArrayPool<byte>.Shared.Return(pending);
        }
    }

    private void ReturnBuffer()
    {
        if (Interlocked.Exchange(ref _pending, null) is { } pending)
        {
            ArrayPool<byte>.Shared.Return(pending);
        }
    }
}
