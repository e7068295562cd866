namespace OrderRelay.Storage;

/// <summary>
/// A pulse that many may wait for: each <see cref="Pulse"/> completes the task handed out before
/// it. A waiter takes <see cref="Next"/> before looking, so a pulse between looking and waiting is never missed.
/// </summary>
internal sealed class SignalSource
{
    private TaskCompletionSource _next = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public Task Next => Volatile.Read(ref _next).Task;

    public void Pulse() =>
        Interlocked.Exchange(ref _next, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
}
