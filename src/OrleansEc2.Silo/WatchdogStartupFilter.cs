using System.Diagnostics;

namespace OrleansEc2.Silo;

/// <summary>
/// Drops one false warning of Orleans' watchdog. At start its platform thread can look before the component thread has
/// first stamped its check (the stamp is still zero), and it then warns that the participant check "has not completed"
/// for as long as the machine has been up, "potentially indicating lock contention or deadlock" — the first thing a
/// newcomer reads. A stall longer than this process has lived cannot be real; every other watchdog line passes.
/// </summary>
public sealed class WatchdogStartupFilter(ILoggerProvider inner) : ILoggerProvider
{
    /// <summary>The watchdog's logging category.</summary>
    public const string Category = "Orleans.Runtime.Watchdog";

    private const string StalledCheckFormat = "Participant check thread has not completed";

    private static readonly DateTime ProcessStarted = Process.GetCurrentProcess().StartTime.ToUniversalTime();

    public ILogger CreateLogger(string categoryName)
    {
        var logger = inner.CreateLogger(categoryName);
        return categoryName == Category ? new FilteringLogger(logger) : logger;
    }

    public void Dispose() => inner.Dispose();

    /// <summary>Whether <paramref name="state"/> is the watchdog's stalled-check warning for longer than <paramref name="processAge"/>.</summary>
    public static bool IsImpossibleStall<TState>(TState state, TimeSpan processAge) =>
        state is IReadOnlyList<KeyValuePair<string, object?>> values
        && values.Any(v => v.Key == "{OriginalFormat}" && v.Value is string format && format.StartsWith(StalledCheckFormat, StringComparison.Ordinal))
        && values.Any(v => v.Value is TimeSpan stalled && stalled > processAge);

    /// <summary>Puts every logging provider registered so far behind the filter; call once logging is set up.</summary>
    public static void Apply(IServiceCollection services)
    {
        for (var i = 0; i < services.Count; i++)
        {
            var registered = services[i];
            if (registered.ServiceType == typeof(ILoggerProvider) && !registered.IsKeyedService)
            {
                services[i] = ServiceDescriptor.Singleton<ILoggerProvider>(provider => new WatchdogStartupFilter(Create(provider, registered)));
            }
        }
    }

    private static ILoggerProvider Create(IServiceProvider provider, ServiceDescriptor registered) => (ILoggerProvider)(
        registered.ImplementationInstance
        ?? registered.ImplementationFactory?.Invoke(provider)
        ?? ActivatorUtilities.CreateInstance(provider, registered.ImplementationType!));

    private sealed class FilteringLogger(ILogger inner) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => inner.BeginScope(state);

        public bool IsEnabled(LogLevel logLevel) => inner.IsEnabled(logLevel);

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (!IsImpossibleStall(state, DateTime.UtcNow - ProcessStarted))
            {
                inner.Log(logLevel, eventId, state, exception, formatter);
            }
        }
    }
}
