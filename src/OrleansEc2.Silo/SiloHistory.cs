using OrleansEc2.Grains.Hosting;

namespace OrleansEc2.Silo;

/// <summary>What the silo knows about its own runs: which start this is, and whether the run before it stopped cleanly.</summary>
[GenerateSerializer, Immutable, Alias("OrleansEc2.Silo.SiloRun")]
public sealed record SiloRun(
    [property: Id(0)] int StartNumber,
    [property: Id(1)] DateTimeOffset StartedAt,
    [property: Id(2)] bool PreviousStopWasClean,
    [property: Id(3)] DateTimeOffset? PreviousStartedAt);

/// <summary>
/// The silo's run history on this data directory (key 0), kept in the grain storage like any other state: a run that
/// ends without <see cref="RecordStopAsync"/> was killed or crashed, and the next start says so.
/// </summary>
public interface ISiloHistoryGrain : IGrainWithIntegerKey
{
    /// <summary>The history as stored.</summary>
    Task<SiloHistory> GetHistoryAsync();

    /// <summary>Counts a start and answers what is known about it.</summary>
    Task<SiloRun> RecordStartAsync(DateTimeOffset startedAt);

    /// <summary>Marks the current run as stopped cleanly.</summary>
    Task RecordStopAsync(DateTimeOffset stoppedAt);
}

/// <summary>How many times the silo started on this data directory, when it last started and stopped, and whether it runs.</summary>
[GenerateSerializer, Immutable, Alias("OrleansEc2.Silo.SiloHistory")]
public sealed record SiloHistory(
    [property: Id(0)] int Starts,
    [property: Id(1)] DateTimeOffset? LastStartedAt,
    [property: Id(2)] DateTimeOffset? LastStoppedAt,
    [property: Id(3)] bool Running);

[GenerateSerializer, Alias("OrleansEc2.Silo.SiloHistoryState")]
public sealed class SiloHistoryState
{
    [Id(0)]
    public int Starts { get; set; }

    [Id(1)]
    public DateTimeOffset? LastStartedAt { get; set; }

    [Id(2)]
    public DateTimeOffset? LastStoppedAt { get; set; }

    /// <summary>A run started and has not recorded its stop.</summary>
    [Id(3)]
    public bool Running { get; set; }
}

public sealed class SiloHistoryGrain(
    [PersistentState("history", GrainStorage.Name)] IPersistentState<SiloHistoryState> history) : Grain, ISiloHistoryGrain
{
    public Task<SiloHistory> GetHistoryAsync()
    {
        var state = history.State;
        return Task.FromResult(new SiloHistory(state.Starts, state.LastStartedAt, state.LastStoppedAt, state.Running));
    }

    public async Task<SiloRun> RecordStartAsync(DateTimeOffset startedAt)
    {
        var state = history.State;
        var run = new SiloRun(state.Starts + 1, startedAt, PreviousStopWasClean: !state.Running, state.LastStartedAt);
        state.Starts = run.StartNumber;
        state.LastStartedAt = startedAt;
        state.Running = true;
        await history.WriteStateAsync();
        return run;
    }

    public async Task RecordStopAsync(DateTimeOffset stoppedAt)
    {
        history.State.Running = false;
        history.State.LastStoppedAt = stoppedAt;
        await history.WriteStateAsync();
    }
}

/// <summary>Records each start and clean stop in <see cref="ISiloHistoryGrain"/>; the health endpoint shows the current run.</summary>
public sealed class SiloHistoryRecorder(IGrainFactory grains, TimeProvider time, ILogger<SiloHistoryRecorder> logger) : IHostedService
{
    private SiloRun? _run;

    /// <summary>The current run, once its start is recorded (before the silo answers as up).</summary>
    public SiloRun? CurrentRun => _run;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var run = await grains.GetGrain<ISiloHistoryGrain>(0).RecordStartAsync(time.GetUtcNow());
        _run = run;
        if (run.PreviousStopWasClean)
        {
            logger.LogInformation("Start #{StartNumber} on this data directory", run.StartNumber);
        }
        else
        {
            logger.LogWarning(
                "Start #{StartNumber} on this data directory: the run started at {PreviousStartedAt:u} did not stop cleanly (killed or crashed); its acknowledged writes are kept",
                run.StartNumber, run.PreviousStartedAt);
        }
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_run is not null)
        {
            await grains.GetGrain<ISiloHistoryGrain>(0).RecordStopAsync(time.GetUtcNow());
        }
    }
}
