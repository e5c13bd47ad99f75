using Microsoft.Extensions.Logging;

namespace MetricsCluster.Ingester.Tests;

/// <summary>Keeps every formatted log line (with its exception's message) so tests can assert on what was logged.</summary>
internal sealed class ListLogger : ILogger<Ingester>
{
    public List<string> Lines { get; } = [];

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        lock (Lines)
        {
            Lines.Add(formatter(state, exception) + (exception is null ? string.Empty : " | " + exception.Message));
        }
    }

    /// <summary>A copy of the lines so far.</summary>
    public List<string> Snapshot()
    {
        lock (Lines)
        {
            return [.. Lines];
        }
    }
}
