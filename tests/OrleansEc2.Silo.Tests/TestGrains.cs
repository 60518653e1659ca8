namespace OrleansEc2.Silo.Tests;

/// <summary>A grain with one persistent string in the "ec2" storage.</summary>
public interface IStateTestGrain : IGrainWithStringKey
{
    Task SetAsync(string value);

    Task<string?> GetAsync();

    Task ClearAsync();

    /// <summary>The state's ETag (the stored version) as the grain last saw it.</summary>
    Task<string?> GetETagAsync();
}

/// <summary>Another grain type whose state has the same name as <see cref="IStateTestGrain"/>'s.</summary>
public interface IOtherStateTestGrain : IGrainWithStringKey
{
    Task SetAsync(string value);

    Task<string?> GetAsync();
}

[GenerateSerializer, Alias("OrleansEc2.Silo.Tests.TextState")]
public sealed class TextState
{
    [Id(0)]
    public string? Value { get; set; }
}

public sealed class StateTestGrain(
    [PersistentState("state", "ec2")] IPersistentState<TextState> state) : Grain, IStateTestGrain
{
    public async Task SetAsync(string value)
    {
        state.State.Value = value;
        await state.WriteStateAsync();
    }

    public Task<string?> GetAsync() => Task.FromResult(state.State.Value);

    public Task ClearAsync() => state.ClearStateAsync();

    public Task<string?> GetETagAsync() => Task.FromResult(state.Etag);
}

public sealed class OtherStateTestGrain(
    [PersistentState("state", "ec2")] IPersistentState<TextState> state) : Grain, IOtherStateTestGrain
{
    public async Task SetAsync(string value)
    {
        state.State.Value = value;
        await state.WriteStateAsync();
    }

    public Task<string?> GetAsync() => Task.FromResult(state.State.Value);
}

/// <summary>A grain that keeps reminders and counts, in its persistent state, how often each fired.</summary>
public interface IReminderTestGrain : IGrainWithStringKey
{
    Task RegisterAsync(string reminderName, TimeSpan dueTime, TimeSpan period);

    Task UnregisterAsync(string reminderName);

    Task<IReadOnlyList<string>> GetReminderNamesAsync();

    Task<int> GetTicksAsync();
}

[GenerateSerializer, Alias("OrleansEc2.Silo.Tests.TickState")]
public sealed class TickState
{
    [Id(0)]
    public int Ticks { get; set; }
}

public sealed class ReminderTestGrain(
    [PersistentState("ticks", "ec2")] IPersistentState<TickState> ticks) : Grain, IReminderTestGrain, IRemindable
{
    public Task RegisterAsync(string reminderName, TimeSpan dueTime, TimeSpan period) =>
        this.RegisterOrUpdateReminder(reminderName, dueTime, period);

    public async Task UnregisterAsync(string reminderName)
    {
        var reminder = await this.GetReminder(reminderName)
            ?? throw new InvalidOperationException($"No reminder {reminderName}.");
        await this.UnregisterReminder(reminder);
    }

    public async Task<IReadOnlyList<string>> GetReminderNamesAsync() =>
        (await this.GetReminders()).Select(r => r.ReminderName).Order(StringComparer.Ordinal).ToList();

    public Task<int> GetTicksAsync() => Task.FromResult(ticks.State.Ticks);

    public async Task ReceiveReminder(string reminderName, TickStatus status)
    {
        ticks.State.Ticks++;
        await ticks.WriteStateAsync();
    }
}
