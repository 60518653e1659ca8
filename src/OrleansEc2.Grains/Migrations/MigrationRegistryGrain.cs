using System.Collections.Immutable;
using OrleansEc2.Grains.Hosting;

namespace OrleansEc2.Grains.Migrations;

[GenerateSerializer, Alias("OrleansEc2.Grains.MigrationRegistryState")]
public sealed class MigrationRegistryState
{
    [Id(0)]
    public SortedSet<string> Unfinished { get; set; } = new(StringComparer.Ordinal);
}

/// <summary>The ids of one account's unfinished migrations. Small: an id is removed as soon as its migration is finished.</summary>
public sealed class MigrationRegistryGrain(
    [PersistentState("migrationRegistry", GrainStorage.Name)] IPersistentState<MigrationRegistryState> state) : Grain, IMigrationRegistryGrain
{
    public async Task AddAsync(string migrationId)
    {
        if (state.State.Unfinished.Add(migrationId))
        {
            await state.WriteStateAsync();
        }
    }

    public async Task RemoveAsync(string migrationId)
    {
        if (state.State.Unfinished.Remove(migrationId))
        {
            await state.WriteStateAsync();
        }
    }

    public Task<ImmutableArray<string>> GetUnfinishedAsync() => Task.FromResult<ImmutableArray<string>>([.. state.State.Unfinished]);
}
