using System.Collections.Immutable;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Serialization;

namespace OrleansEc2.Grains.Tests.Instances;

/// <summary>
/// An instance description stored before the launch options (ids 22–28) were added reads back with their defaults:
/// the default group, no kernel or RAM disk, monitoring off, not EBS-optimized, unprotected, stopping on a guest shutdown.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class InstanceDescriptionVersionTests(ClusterFixture fixture)
{
    private static readonly Serializer Serializer = new ServiceCollection()
        .AddSerializer(builder => builder.AddAssembly(typeof(InstanceDescription).Assembly).AddAssembly(typeof(InstanceDescriptionVersionTests).Assembly))
        .BuildServiceProvider()
        .GetRequiredService<Serializer>();

    [Fact]
    public void ADescriptionWithoutLaunchOptions_ReadsWithTheirDefaults()
    {
        var stored = Serializer.SerializeToArray(Old("i-0123456789abcdef0", ClusterFixture.Alice));

        var read = Serializer.Deserialize<InstanceDescription>(stored)!;

        read.InstanceId.Should().Be("i-0123456789abcdef0");
        read.Tags.Should().Equal(new Tag("Name", "old"));
        read.State.Should().Be(InstanceStateName.Running);
        read.SecurityGroups.IsDefault.Should().BeTrue();
        ClassicSecurityGroups.Of(read).Should().Equal(ClassicSecurityGroups.Default(ClusterFixture.Alice, ClusterFixture.UsEast1));
        read.KernelId.Should().BeNull();
        read.RamdiskId.Should().BeNull();
        read.MonitoringEnabled.Should().BeFalse();
        InstanceMonitoring.State(read).Should().Be("disabled");
        read.EbsOptimized.Should().BeFalse();
        read.DisableApiTermination.Should().BeFalse();
        read.InstanceInitiatedShutdownBehavior.Should().Be(ShutdownBehavior.Stop);
    }

    [Fact]
    public async Task TheIndex_FiltersAnOldDescriptionByTheDefaultGroup()
    {
        var account = "9" + Random.Shared.NextInt64(10_000_000_000, 99_999_999_999).ToString(System.Globalization.CultureInfo.InvariantCulture);
        var id = Ec2Ids.NewInstanceId();
        var old = Serializer.Deserialize<InstanceDescription>(Serializer.SerializeToArray(Old(id, account)))!;
        var index = Scenario.Index(fixture.Grains, account);
        await index.UpsertInstanceAsync(old);

        async Task<List<string>> Ids(string filter, string value)
            => [.. (await index.DescribeInstancesAsync(new InstanceQuery([], [new Ec2Filter(filter, [value])], null, null))).Instances.Select(i => i.InstanceId)];

        (await Ids("group-name", "default")).Should().Equal(id);
        (await Ids("group-id", ClassicSecurityGroups.Default(account, ClusterFixture.UsEast1).GroupId)).Should().Equal(id);
        (await Ids("monitoring-state", "disabled")).Should().Equal(id);
        (await Ids("group-name", "web")).Should().BeEmpty();
    }

    private static InstanceDescriptionBeforeLaunchOptions Old(string instanceId, string account) => new(
        instanceId,
        account,
        ClusterFixture.UsEast1,
        "us-east-1a",
        "r-0123456789abcdef0",
        "ami-0123456789abcdef0",
        "m1.small",
        null,
        Platform.Windows,
        InstanceStateName.Running,
        null,
        new DateTimeOffset(2008, 10, 2, 9, 31, 44, TimeSpan.Zero),
        0,
        "10.1.2.3",
        "ip-10-1-2-3.ec2.internal",
        "WIN-OLD",
        "12:34:56:78:9a:bc",
        "S-1-5-21-1-2-3",
        null,
        null,
        null,
        [new Tag("Name", "old")]);
}

/// <summary><see cref="InstanceDescription"/> as it was stored before ids 22–28: the same fields, the same ids.</summary>
[GenerateSerializer, Immutable, Alias("OrleansEc2.Tests.InstanceDescriptionBeforeLaunchOptions")]
public sealed record InstanceDescriptionBeforeLaunchOptions(
    [property: Id(0)] string InstanceId,
    [property: Id(1)] string AccountId,
    [property: Id(2)] string Region,
    [property: Id(3)] string AvailabilityZone,
    [property: Id(4)] string ReservationId,
    [property: Id(5)] string ImageId,
    [property: Id(6)] string InstanceType,
    [property: Id(7)] string? KeyName,
    [property: Id(8)] Platform Platform,
    [property: Id(9)] InstanceStateName State,
    [property: Id(10)] PendingTransition? Transition,
    [property: Id(11)] DateTimeOffset LaunchTime,
    [property: Id(12)] int AmiLaunchIndex,
    [property: Id(13)] string PrivateIpAddress,
    [property: Id(14)] string PrivateDnsName,
    [property: Id(15)] string? ComputerName,
    [property: Id(16)] string? MacAddress,
    [property: Id(17)] string? Sid,
    [property: Id(18)] string? ClientToken,
    [property: Id(19)] string? StateTransitionReason,
    [property: Id(20)] DateTimeOffset? TerminatedAt,
    [property: Id(21)] ImmutableArray<Tag> Tags);
