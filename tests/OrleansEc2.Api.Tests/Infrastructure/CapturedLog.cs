using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace OrleansEc2.Api.Tests.Infrastructure;

/// <summary>Keeps the silo's log lines of the front door (and every warning or error) for tests to inspect.</summary>
public sealed class CapturedLog : ILoggerProvider
{
    public ConcurrentQueue<(string Category, LogLevel Level, string Message, Exception? Exception)> Entries { get; } = new();

    public IEnumerable<string> Errors => Entries.Where(e => e.Level >= LogLevel.Error).Select(e => $"{e.Category}: {e.Message} {e.Exception}");

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void Dispose()
    {
    }

    private sealed class Logger(CapturedLog log, string category) : ILogger
    {
        private readonly bool _frontDoor = category.StartsWith("FrontDoor.", StringComparison.Ordinal);

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Warning || (_frontDoor && logLevel >= LogLevel.Information);

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (!IsEnabled(logLevel))
            {
                return;
            }

            log.Entries.Enqueue((category, logLevel, formatter(state, exception), exception));
            while (log.Entries.Count > 20000 && log.Entries.TryDequeue(out _))
            {
            }
        }
    }
}
