namespace OrleansEc2.Grains.AccountRegions;

[GenerateSerializer, Alias("OrleansEc2.Grains.AccountRegionState")]
public sealed class AccountRegionState
{
    /// <summary>Latest description of every instance of the account in the region, terminated ones until their retention ends.</summary>
    [Id(0)]
    public Dictionary<string, InstanceDescription> Instances { get; set; } = new(StringComparer.Ordinal);

    /// <summary>Key pairs by name.</summary>
    [Id(1)]
    public Dictionary<string, KeyPairInfo> KeyPairs { get; set; } = new(StringComparer.Ordinal);

    /// <summary>Tags by resource id, then key.</summary>
    [Id(2)]
    public Dictionary<string, Dictionary<string, string>> Tags { get; set; } = new(StringComparer.Ordinal);

    [Id(3)]
    public Dictionary<string, ClientTokenClaim> ClientTokens { get; set; } = new(StringComparer.Ordinal);

    /// <summary>Images the account owns here, and images other accounts shared with it.</summary>
    [Id(4)]
    public Dictionary<string, ImageDescription> Images { get; set; } = new(StringComparer.Ordinal);

    /// <summary>The account's bundle tasks here, finished ones until their retention ends.</summary>
    [Id(5)]
    public Dictionary<string, BundleTaskDescription> BundleTasks { get; set; } = new(StringComparer.Ordinal);

    /// <summary>The accounts explicitly allowed to launch each image in <see cref="Images"/> (besides its owner).</summary>
    [Id(6)]
    public Dictionary<string, List<string>> ImageLaunchPermissions { get; set; } = new(StringComparer.Ordinal);
}

[GenerateSerializer, Alias("OrleansEc2.Grains.ClientTokenClaim")]
public sealed record ClientTokenClaim([property: Id(0)] string ReservationId, [property: Id(1)] string RequestHash);
