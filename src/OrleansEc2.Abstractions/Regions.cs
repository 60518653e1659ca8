using System.Collections.Immutable;

namespace OrleansEc2;

/// <summary>A region as DescribeRegions shows it, with its legacy location (<c>US</c>, <c>EU</c>) and zones.</summary>
[GenerateSerializer, Immutable, Alias("OrleansEc2.RegionInfo")]
public sealed record RegionInfo(
    [property: Id(0)] string RegionName,
    [property: Id(1)] string LegacyLocation,
    [property: Id(2)] ImmutableArray<string> AvailabilityZones);

/// <summary>
/// One region (<c>us-east-1</c>): its zones, its EC2 RSA key pair and certificate (generated once and persisted),
/// and its public AMIs. Regions come from configuration; an unconfigured name answers <c>InvalidRegion</c>.
/// </summary>
public interface IRegionGrain : IGrainWithStringKey
{
    Task<RegionInfo> GetInfoAsync();

    /// <summary>The region's EC2 certificate (PEM): what bundles are sealed to (<c>--ec2cert</c>).</summary>
    Task<string> GetEc2CertificatePemAsync();

    /// <summary>The region's EC2 private key (PKCS#8 PEM). Simulator-internal: registering and launching unseal with it.</summary>
    Task<string> GetEc2PrivateKeyPemAsync();

    /// <summary>The ids of the public AMIs seeded in this region.</summary>
    Task<ImmutableArray<string>> GetPublicImageIdsAsync();
}

/// <summary>The configured regions, in configuration order (the one place that lists them all).</summary>
public interface IRegionDirectoryGrain : IGrainWithIntegerKey
{
    Task<ImmutableArray<RegionInfo>> GetRegionsAsync();

    /// <summary>The region whose legacy location is <paramref name="location"/> (<c>EU</c> → eu-west-1), or the region named so.</summary>
    Task<RegionInfo?> FindByLocationAsync(string location);
}
