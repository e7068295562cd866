using System.Buffers;
using System.IO.Pipelines;
using System.Runtime.CompilerServices;

namespace OrderRelay.Connections;

/// <summary>
/// A connection's transport as the one <see cref="Stream"/> a WebSocket runs over. Disposing
/// it (as an aborted WebSocket does) wakes a pending read or flush without dropping what is
/// buffered; the transport itself belongs to Kestrel, which closes it.
/// </summary>
/// <remarks>
/// Reads go to the pipe directly, through a pooled state machine, as Kestrel's own stream over
/// its pipes does. <see cref="PipeReader.AsStream"/> allocates a new one each time a read waits:
/// each idle page's read waits again at every keep-alive pong, and every such object is a young
/// one hung off an old connection, which the next collection must find by scanning.
/// </remarks>
internal sealed class DuplexPipeStream(IDuplexPipe transport) : Stream
{
    private readonly Stream _output = transport.Output.AsStream(leaveOpen: true);

    public override bool CanRead => true;

    public override bool CanWrite => true;

    public override bool CanSeek => false;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
        ReadFromPipeAsync(buffer, cancellationToken);

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadFromPipeAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override int Read(byte[] buffer, int offset, int count)
    {
        var read = ReadFromPipeAsync(buffer.AsMemory(offset, count), CancellationToken.None);
        return read.IsCompleted ? read.Result : read.AsTask().GetAwaiter().GetResult();
    }

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default) =>
        _output.WriteAsync(buffer, cancellationToken);

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        _output.WriteAsync(buffer, offset, count, cancellationToken);

    public override void Write(byte[] buffer, int offset, int count) => _output.Write(buffer, offset, count);

    public override Task FlushAsync(CancellationToken cancellationToken) => _output.FlushAsync(cancellationToken);

    public override void Flush() => _output.Flush();

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    /// <summary>
    /// Copies what the pipe holds, up to <paramref name="buffer"/>'s length, waiting for some when
    /// it holds none: 0 at the end of the input, or for an empty buffer once data is there (the
    /// data stays for the next read).
    /// </summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<int> ReadFromPipeAsync(Memory<byte> buffer, CancellationToken cancellationToken)
    {
        var input = transport.Input;
        var result = await input.ReadAsync(cancellationToken).ConfigureAwait(false);
        var available = result.Buffer;
        var consumed = available.Start;
        try
        {
            if (result.IsCanceled)
            {
                throw new OperationCanceledException("The read was cancelled: the stream is being disposed.");
            }

            if (!available.IsEmpty)
            {
                var taken = available.Slice(0, Math.Min(available.Length, buffer.Length));
                taken.CopyTo(buffer.Span);
                consumed = taken.End;
                return (int)taken.Length;
            }

            if (result.IsCompleted)
            {
                return 0;
            }
        }
        finally
        {
            input.AdvanceTo(consumed);
        }

        throw new InvalidOperationException("The transport returned an empty read before its input ended.");
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            transport.Input.CancelPendingRead();
            transport.Output.CancelPendingFlush();
        }

        base.Dispose(disposing);
    }
}
