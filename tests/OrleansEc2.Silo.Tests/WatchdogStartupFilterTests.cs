using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace OrleansEc2.Silo.Tests;

/// <summary>The false "participant check has not completed for (the machine's uptime)" warning Orleans' watchdog gives at start.</summary>
public sealed class WatchdogStartupFilterTests
{
    // The watchdog's own message, as Orleans logs it.
    private static readonly Action<ILogger, TimeSpan, Exception?> StalledCheck = LoggerMessage.Define<TimeSpan>(
        LogLevel.Warning,
        new EventId(100150, "SiloHeartbeatTimerStalled"),
        "Participant check thread has not completed for {TimeSinceLastTick}, potentially indicating lock contention or deadlock, CPU starvation, or another execution anomaly.");

    private static readonly Action<ILogger, TimeSpan, Exception?> RuntimeStalled = LoggerMessage.Define<TimeSpan>(
        LogLevel.Warning,
        new EventId(100150, "SiloHeartbeatTimerStalled"),
        ".NET Runtime Platform stalled for {TimeSinceLastTick}.");

    [Fact]
    public void AStallLongerThanTheProcessHasLived_IsDropped_AnyOtherWatchdogLinePasses()
    {
        var recorded = new RecordingProvider();
        var collection = new ServiceCollection().AddLogging(logging => logging.AddProvider(recorded));
        WatchdogStartupFilter.Apply(collection);
        using var services = collection.BuildServiceProvider();
        var factory = services.GetRequiredService<ILoggerFactory>();
        var watchdog = factory.CreateLogger(WatchdogStartupFilter.Category);

        StalledCheck(watchdog, TimeSpan.FromHours(6.7), null);
        StalledCheck(watchdog, TimeSpan.FromMilliseconds(250), null); // shorter than this test process has lived
        RuntimeStalled(watchdog, TimeSpan.FromHours(6.7), null);
        StalledCheck(factory.CreateLogger("Elsewhere"), TimeSpan.FromHours(6.7), null);

        recorded.Lines.Should().Equal(
            $"{WatchdogStartupFilter.Category}: Participant check thread has not completed for 00:00:00.2500000, potentially indicating lock contention or deadlock, CPU starvation, or another execution anomaly.",
            $"{WatchdogStartupFilter.Category}: .NET Runtime Platform stalled for 06:42:00.",
            "Elsewhere: Participant check thread has not completed for 06:42:00, potentially indicating lock contention or deadlock, CPU starvation, or another execution anomaly.");
    }

    private sealed class RecordingProvider : ILoggerProvider
    {
        public List<string> Lines { get; } = [];

        public ILogger CreateLogger(string categoryName) => new Recording(this, categoryName);

        public void Dispose()
        {
        }

        private sealed class Recording(RecordingProvider provider, string category) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state)
                where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
            {
                lock (provider.Lines)
                {
                    provider.Lines.Add($"{category}: {formatter(state, exception)}");
                }
            }
        }
    }
}
