namespace OrleansEc2;

/// <summary>
/// The clock the simulation runs on (boot and shutdown durations, bundle phases, timestamps in answers).
/// Either the system clock, or a simulated one that only moves when advanced (tests, step-by-step demos).
/// Request signatures are always checked against the system clock, as AWS clients sign with real time.
/// </summary>
public interface ISimulationClock
{
    TimeProvider Time { get; }

    bool IsSimulated { get; }

    DateTimeOffset UtcNow => Time.GetUtcNow();

    /// <summary>Moves a simulated clock forward; throws <see cref="InvalidOperationException"/> on the system clock.</summary>
    void Advance(TimeSpan by);
}
