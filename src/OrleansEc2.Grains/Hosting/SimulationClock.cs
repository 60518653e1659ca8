using Microsoft.Extensions.Time.Testing;

namespace OrleansEc2.Grains.Hosting;

/// <summary>
/// The simulation clock: the system clock, or a simulated one that moves only when advanced. The simulated one is a
/// <see cref="FakeTimeProvider"/>, whose timers (and so <c>Task.Delay(…, clock.Time)</c>) fire as it is advanced.
/// It is kept apart from the <see cref="TimeProvider"/> Orleans itself resolves, so advancing it never spins Orleans'
/// own background loops.
/// </summary>
public sealed class SimulationClock : ISimulationClock
{
    private readonly FakeTimeProvider? _fake;

    private SimulationClock(TimeProvider time, FakeTimeProvider? fake)
    {
        Time = time;
        _fake = fake;
    }

    public TimeProvider Time { get; }

    public bool IsSimulated => _fake is not null;

    public static SimulationClock System() => new(TimeProvider.System, null);

    public static SimulationClock Simulated(FakeTimeProvider time) => new(time, time);

    public static SimulationClock Simulated(DateTimeOffset start) => Simulated(new FakeTimeProvider(start));

    public void Advance(TimeSpan by)
    {
        if (_fake is null)
        {
            throw new InvalidOperationException("The simulation runs on the system clock, which cannot be advanced.");
        }

        if (by < TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(by), by, "The clock only moves forward.");
        }

        _fake.Advance(by);
    }
}
