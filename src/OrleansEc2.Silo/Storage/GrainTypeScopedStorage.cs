using Orleans.Storage;

namespace OrleansEc2.Silo.Storage;

/// <summary>
/// Puts the grain type into the name a state is stored under. Orleans' ADO.NET storage keys a row by the state's
/// name and the grain's key only, so two grain types with a state of the same name and the same key (a bucket named
/// <c>us-east-1</c> and the region <c>us-east-1</c>, both with a state called <c>state</c>) would share one row.
/// Stored as <c>{grain type}/{state name}</c>, each keeps its own.
/// </summary>
public sealed class GrainTypeScopedStorage(IGrainStorage inner) : IGrainStorage
{
    public Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) =>
        inner.ReadStateAsync(Scoped(stateName, grainId), grainId, grainState);

    public Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) =>
        inner.WriteStateAsync(Scoped(stateName, grainId), grainId, grainState);

    public Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) =>
        inner.ClearStateAsync(Scoped(stateName, grainId), grainId, grainState);

    /// <summary>The name a state is stored under (the <c>GrainTypeString</c> column).</summary>
    public static string Scoped(string stateName, GrainId grainId) => $"{grainId.Type}/{stateName}";
}
