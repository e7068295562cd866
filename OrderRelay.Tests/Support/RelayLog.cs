using System.Collections.Concurrent;
using Serilog.Core;
using Serilog.Events;

namespace OrderRelay.Tests.Support;

/// <summary>
/// What an in-process relay logs (at the levels its settings let through), as events a test can await:
/// the way to wait for work the relay does in the background and tells no client about. Each
/// <see cref="RelayServer"/> has one; its Serilog configuration writes to it by name (<see cref="RelayLogSink"/>).
/// </summary>
internal sealed class RelayLog : ILogEventSink
{
    private static readonly ConcurrentDictionary<string, RelayLog> Open = new(StringComparer.Ordinal);

    private readonly List<(int EventId, string Message)> _entries = [];
    private readonly List<(int EventId, Func<string, bool> Match, TaskCompletionSource Logged)> _awaited = [];

    private RelayLog(string name) => Name = name;

    public string Name { get; }

    /// <summary>The settings that make a relay's Serilog write here.</summary>
    public string[] Settings =>
    [
        $"Serilog:Using:{nameof(RelayLog)}={typeof(RelayLog).Assembly.GetName().Name}",
        $"Serilog:WriteTo:{nameof(RelayLog)}:Name={nameof(RelayLogSink.RelayLog)}",
        $"Serilog:WriteTo:{nameof(RelayLog)}:Args:name={Name}",
    ];

    public static RelayLog Create()
    {
        var log = new RelayLog(Guid.NewGuid().ToString("N"));
        Open[log.Name] = log;
        return log;
    }

    public static RelayLog Named(string name) => Open[name];

    /// <summary>Completes once the relay has logged <paramref name="eventId"/> with a message that <paramref name="match"/> accepts, before or after this was asked.</summary>
    public Task LoggedAsync(int eventId, Func<string, bool> match)
    {
        lock (_entries)
        {
            if (_entries.Any(entry => entry.EventId == eventId && match(entry.Message)))
            {
                return Task.CompletedTask;
            }

            var logged = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _awaited.Add((eventId, match, logged));
            return logged.Task;
        }
    }

    public void Emit(LogEvent logEvent)
    {
        var eventId = logEvent.Properties.TryGetValue("EventId", out var value) && value is StructureValue structure
            && structure.Properties.FirstOrDefault(property => property.Name == "Id")?.Value is ScalarValue { Value: int id }
                ? id
                : 0;
        var message = logEvent.RenderMessage(System.Globalization.CultureInfo.InvariantCulture);
        lock (_entries)
        {
            _entries.Add((eventId, message));
            foreach (var awaited in _awaited.Where(awaited => awaited.EventId == eventId && awaited.Match(message)).ToList())
            {
                awaited.Logged.TrySetResult();
                _awaited.Remove(awaited);
            }
        }
    }

    /// <summary>Forgets this log once its relay is gone.</summary>
    public void Close() => Open.TryRemove(Name, out _);
}
