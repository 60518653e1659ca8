using System.Collections.Immutable;

namespace OrleansEc2.Grains.Tests;

/// <summary>Small steps most grain tests take: find a public image, run instances, describe them.</summary>
public static class Scenario
{
    public static async Task<string> PublicImageAsync(IGrainFactory grains, Platform platform, string region = ClusterFixture.UsEast1)
    {
        var caller = new Caller(ClusterFixture.Alice, region);
        var images = await grains.GetGrain<IAccountRegionGrain>(caller.AccountRegionKey)
            .DescribeImagesAsync(new ImageQuery([], ["amazon"], [], []));
        return images.First(i => i.Platform == platform).ImageId;
    }

    public static async Task<Reservation> RunAsync(
        IGrainFactory grains,
        Platform platform = Platform.Windows,
        string account = ClusterFixture.Alice,
        string region = ClusterFixture.UsEast1,
        int count = 1,
        string? keyName = null,
        string? clientToken = null,
        ImmutableArray<Tag> tags = default)
    {
        var image = await PublicImageAsync(grains, platform, region);
        return await grains.GetGrain<IReservationGrain>(Ec2Ids.NewReservationId()).RunInstancesAsync(
            new RunInstancesRequest(new Caller(account, region), image, count, count, "m1.small", keyName, null, clientToken, tags.IsDefault ? [] : tags));
    }

    public static async Task<IInstanceGrain> RunOneAsync(IGrainFactory grains, Platform platform = Platform.Windows, string account = ClusterFixture.Alice, string? keyName = null)
    {
        var reservation = await RunAsync(grains, platform, account, keyName: keyName);
        return grains.GetGrain<IInstanceGrain>(reservation.Instances[0].InstanceId);
    }

    public static IAccountRegionGrain Index(IGrainFactory grains, string account = ClusterFixture.Alice, string region = ClusterFixture.UsEast1)
        => grains.GetGrain<IAccountRegionGrain>(AccountRegionKeys.Format(account, region));

    public static async Task<InstanceDescription> DescribeAsync(IGrainFactory grains, string instanceId, string account = ClusterFixture.Alice)
    {
        var page = await Index(grains, account).DescribeInstancesAsync(new InstanceQuery([instanceId], [], null, null));
        return page.Instances.Single();
    }

    /// <summary>A unique name for a resource a test creates.</summary>
    public static string Unique(string prefix) => prefix + "-" + Guid.NewGuid().ToString("n")[..12];
}
