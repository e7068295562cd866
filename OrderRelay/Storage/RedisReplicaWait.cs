using System.Globalization;
using StackExchange.Redis;

namespace OrderRelay.Storage;

/// <summary>
/// <c>Relay:Redis:WaitReplicas</c>: an append counts as done only once Redis's <c>WAIT</c> says
/// that many replicas have it, so that an acked order survives the primary's loss.
/// </summary>
internal sealed class RedisReplicaWait(int replicas, TimeSpan timeout, string markChannel)
{
    /// <summary>
    /// How the append script must be sent when a confirmation follows it: whole (<c>EVAL</c>), since
    /// the client re-sends a script Redis did not know by its hash (<c>NOSCRIPT</c>), and a script
    /// re-sent behind the <c>WAIT</c> would not be covered by it.
    /// </summary>
    public static CommandFlags ScriptFlags(RedisReplicaWait? wait) =>
        wait is null ? CommandFlags.None : CommandFlags.NoScriptCache | CommandFlags.DemandMaster;

    /// <summary>
    /// Queues a confirmation right behind the append script, before the script has answered, so
    /// that nothing comes between them on the multiplexer's one connection to the primary.
    /// <c>WAIT</c> counts the replicas that have every write made on its connection so far. The
    /// mark before it (a <c>PUBLISH</c>, which Redis replicates) makes that "everything the primary
    /// had by now", so a batch of only duplicates is confirmed too: their originals may have come
    /// through another node's connection and not be replicated yet.
    /// </summary>
    /// <returns>Completes when the replicas confirmed; fails when fewer did within the timeout, or Redis failed.</returns>
    public Task RequestAsync(IDatabase database)
    {
        _ = database.ExecuteAsync("PUBLISH", [markChannel, ""], CommandFlags.DemandMaster | CommandFlags.FireAndForget);
        var confirmation = CheckAsync(database.ExecuteAsync("WAIT", [replicas, (long)timeout.TotalMilliseconds], CommandFlags.DemandMaster));
        // When the append fails first, nobody awaits the confirmation; its failure is observed here.
        confirmation.ContinueWith(static failed => _ = failed.Exception, CancellationToken.None,
            TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        return confirmation;
    }

    private async Task CheckAsync(Task<RedisResult> wait)
    {
        var confirmed = (long)await wait.ConfigureAwait(false);
        if (confirmed < replicas)
        {
            throw new TimeoutException(string.Create(CultureInfo.InvariantCulture,
                $"Redis confirmed the batch on {confirmed} of the {replicas} replicas Relay:Redis:WaitReplicas asks for within {timeout}."));
        }
    }
}
