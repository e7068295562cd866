using System.Buffers;
using System.IO.Pipelines;
using OrderRelay.Connections;

namespace OrderRelay.Tests.Connections;

/// <summary>The stream a WebSocket runs over, on real pipes: reads as a <see cref="Stream"/> must read, with nothing lost between them.</summary>
[CancelAfter(10_000)]
public sealed class DuplexPipeStreamTests
{
    private Pipe _input = null!;
    private Pipe _output = null!;

    [SetUp]
    public void NewPipes()
    {
        _input = new Pipe();
        _output = new Pipe();
    }

    [Test]
    public async Task ZeroByteRead_WaitsForDataThenLeavesItForTheNextRead()
    {
        using var stream = Stream();
        var waiting = stream.ReadAsync(Memory<byte>.Empty).AsTask();
        Assert.That(waiting.IsCompleted, Is.False, "no data yet");

        await _input.Writer.WriteAsync("hello"u8.ToArray());

        Assert.That(await waiting, Is.Zero);
        var buffer = new byte[16];
        var read = await stream.ReadAsync(buffer);
        Assert.That(buffer[..read], Is.EqualTo("hello"u8.ToArray()));
    }

    [Test]
    public async Task ReadIntoASmallerBuffer_TakesWhatFitsAndKeepsTheRest()
    {
        using var stream = Stream();
        await _input.Writer.WriteAsync("abcdefgh"u8.ToArray());
        var buffer = new byte[3];

        var first = await stream.ReadAsync(buffer);
        var firstBytes = buffer[..first];
        var second = await stream.ReadAsync(buffer.AsMemory());
        var secondBytes = buffer[..second];
        var rest = new byte[8];
        var third = stream.Read(rest, 0, rest.Length);

        Assert.That(firstBytes, Is.EqualTo("abc"u8.ToArray()));
        Assert.That(secondBytes, Is.EqualTo("def"u8.ToArray()));
        Assert.That(rest[..third], Is.EqualTo("gh"u8.ToArray()));
    }

    [Test]
    public async Task EndOfInput_ReadsZero()
    {
        using var stream = Stream();
        await _input.Writer.WriteAsync("x"u8.ToArray());
        await _input.Writer.CompleteAsync();
        var buffer = new byte[4];

#pragma warning disable CA1835 // the array overload is the one tested here
        Assert.That(await stream.ReadAsync(buffer, 0, 4, CancellationToken.None), Is.EqualTo(1));
#pragma warning restore CA1835
        Assert.That(await stream.ReadAsync(buffer), Is.Zero);
    }

    [Test]
    public void Dispose_WakesAPendingReadWithCancellation()
    {
        var stream = Stream();
        var waiting = stream.ReadAsync(new byte[4]).AsTask();

        stream.Dispose();

        Assert.That(async () => await waiting, Throws.InstanceOf<OperationCanceledException>());
    }

    [Test]
    public async Task Writes_ReachTheOutputPipe()
    {
        using var stream = Stream();

        await stream.WriteAsync("pong"u8.ToArray());
        await stream.FlushAsync();
        var written = await _output.Reader.ReadAsync();

        Assert.That(written.Buffer.ToArray(), Is.EqualTo("pong"u8.ToArray()));
    }

    private DuplexPipeStream Stream() => new(new Transport(_input.Reader, _output.Writer));

    private sealed record Transport(PipeReader Input, PipeWriter Output) : IDuplexPipe;
}
