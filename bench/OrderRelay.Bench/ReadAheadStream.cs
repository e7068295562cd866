namespace OrderRelay.Bench;

/// <summary>
/// Reads from the socket in large chunks and hands them out in the small pieces the WebSocket
/// asks for; writes pass straight through. A client WebSocket reads each frame's header and
/// then its payload separately, so over a bare <see cref="System.Net.Sockets.NetworkStream"/>
/// every ~600-byte delivery costs the load generator two receive calls, CPU taken from the
/// relay it shares the machine with. <see cref="BufferedStream"/> is not used because it also
/// holds back writes until a flush, which the WebSocket never asks for.
/// </summary>
internal sealed class ReadAheadStream(Stream inner) : Stream
{
    private const int ChunkSize = 16 * 1024;

    // Allocated on the first read with room: an idle connection waits on zero-byte reads and holds none.
    private byte[]? _chunk;
    private int _start;
    private int _end;

    public override bool CanRead => true;

    public override bool CanWrite => true;

    public override bool CanSeek => false;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (_start == _end)
        {
            if (buffer.IsEmpty)
            {
                return await inner.ReadAsync(buffer, cancellationToken);
            }

            _chunk ??= new byte[ChunkSize];
            _start = 0;
            _end = await inner.ReadAsync(_chunk, cancellationToken);
            if (_end == 0)
            {
                return 0;
            }
        }

        var count = Math.Min(buffer.Length, _end - _start);
        _chunk.AsSpan(_start, count).CopyTo(buffer.Span);
        _start += count;
        return count;
    }

    public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default) => inner.WriteAsync(buffer, cancellationToken);

    public override void Write(byte[] buffer, int offset, int count) => inner.Write(buffer, offset, count);

    public override Task FlushAsync(CancellationToken cancellationToken) => inner.FlushAsync(cancellationToken);

    public override void Flush() => inner.Flush();

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            inner.Dispose();
        }

        base.Dispose(disposing);
    }
}
