using Orleans.Concurrency;
using System.Collections.Immutable;
using OrleansEc2.Grains.Crypto;
using OrleansEc2.Grains.Hosting;

namespace OrleansEc2.Grains.Regions;

[GenerateSerializer, Alias("OrleansEc2.Grains.RegionState")]
public sealed class RegionState
{
    [Id(0)]
    public SigningCredentials? Ec2Key { get; set; }
}

/// <summary>One configured region: its zones and public AMIs from configuration, its EC2 key pair generated once and persisted.</summary>
public sealed class RegionGrain(
    [PersistentState("region", GrainStorage.Name)] IPersistentState<RegionState> state,
    RegionCatalog catalog,
    ISimulationClock clock) : Grain, IRegionGrain
{
    public Task<RegionInfo> GetInfoAsync() => Task.FromResult(catalog.GetRegion(this.GetPrimaryKeyString()));

    public async Task<string> GetEc2CertificatePemAsync() => (await EnsureEc2KeyAsync()).CertificatePem;

    public async Task<string> GetEc2PrivateKeyPemAsync() => (await EnsureEc2KeyAsync()).PrivateKeyPem;

    public Task<ImmutableArray<string>> GetPublicImageIdsAsync()
    {
        var region = catalog.GetRegion(this.GetPrimaryKeyString());
        return Task.FromResult<ImmutableArray<string>>([.. catalog.PublicImagesIn(region.RegionName).Select(i => i.Description.ImageId)]);
    }

    private async Task<SigningCredentials> EnsureEc2KeyAsync()
    {
        var region = catalog.GetRegion(this.GetPrimaryKeyString());
        if (state.State.Ec2Key is null)
        {
            state.State.Ec2Key = Certificates.CreateSelfSigned($"CN=ec2-{region.RegionName}, OU=EC2, O=OrleansEc2", clock.UtcNow);
            await state.WriteStateAsync();
        }

        return state.State.Ec2Key;
    }
}

/// <summary>The configured regions, in configuration order. Configuration only, so any silo can answer: a stateless worker.</summary>
[StatelessWorker]
public sealed class RegionDirectoryGrain(RegionCatalog catalog) : Grain, IRegionDirectoryGrain
{
    public Task<ImmutableArray<RegionInfo>> GetRegionsAsync() => Task.FromResult(catalog.Regions);

    public Task<RegionInfo?> FindByLocationAsync(string location)
    {
        var region = catalog.Regions.FirstOrDefault(r => string.Equals(r.LegacyLocation, location, StringComparison.OrdinalIgnoreCase))
            ?? catalog.FindRegion(location);
        return Task.FromResult(region);
    }
}
