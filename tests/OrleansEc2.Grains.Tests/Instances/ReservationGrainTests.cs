namespace OrleansEc2.Grains.Tests.Instances;

[Collection(ClusterCollection.Name)]
public sealed class ReservationGrainTests(ClusterFixture fixture)
{
    private static readonly Caller AliceUs = new(ClusterFixture.Alice, ClusterFixture.UsEast1);

    [Fact]
    public async Task Run_LaunchesMaxCountInstancesInOneReservation()
    {
        var reservation = await Scenario.RunAsync(fixture.Grains, count: 3);

        reservation.ReservationId.Should().MatchRegex("^r-[0-9a-f]{17}$");
        reservation.OwnerId.Should().Be(ClusterFixture.Alice);
        reservation.Instances.Select(i => i.AmiLaunchIndex).Should().Equal(0, 1, 2);
        reservation.Instances.Should().OnlyContain(i => i.ReservationId == reservation.ReservationId && i.InstanceType == "m1.small" && i.AvailabilityZone == "us-east-1a");
    }

    [Fact]
    public async Task Run_WithTags_TagsEveryInstance()
    {
        var reservation = await Scenario.RunAsync(fixture.Grains, count: 2, tags: [new Tag("Name", "web")]);

        reservation.Instances.Should().OnlyContain(i => i.Tags.SequenceEqual(new[] { new Tag("Name", "web") }));
        var described = await Scenario.DescribeAsync(fixture.Grains, reservation.Instances[1].InstanceId);
        described.Tags.Should().Equal(new Tag("Name", "web"));
    }

    [Fact]
    public async Task Run_SameClientToken_ReturnsTheFirstReservation()
    {
        var token = Scenario.Unique("token");

        var first = await Scenario.RunAsync(fixture.Grains, clientToken: token);
        var again = await Scenario.RunAsync(fixture.Grains, clientToken: token);

        again.ReservationId.Should().Be(first.ReservationId);
        again.Instances.Select(i => i.InstanceId).Should().Equal(first.Instances.Select(i => i.InstanceId));
    }

    [Fact]
    public async Task Run_SameClientTokenOtherArguments_FailsWithIdempotentParameterMismatch()
    {
        var token = Scenario.Unique("token");
        await Scenario.RunAsync(fixture.Grains, clientToken: token);

        var act = () => Scenario.RunAsync(fixture.Grains, count: 2, clientToken: token);

        (await act.Should().ThrowAsync<Ec2Exception>()).Which.Code.Should().Be(Ec2ErrorCodes.IdempotentParameterMismatch);
    }

    [Theory]
    [InlineData(0, 1, "m1.small", null, Ec2ErrorCodes.InvalidParameterValue)]
    [InlineData(2, 1, "m1.small", null, Ec2ErrorCodes.InvalidParameterValue)]
    [InlineData(1, 1, "huge", null, Ec2ErrorCodes.InvalidParameterValue)]
    [InlineData(1, 1, "m1.small", "us-east-1z", Ec2ErrorCodes.InvalidParameterValue)]
    [InlineData(1, 1, "m1.small", "eu-west-1a", Ec2ErrorCodes.InvalidParameterValue)]
    [InlineData(101, 101, "m1.small", null, "InstanceLimitExceeded")]
    public async Task Run_InvalidRequest_FailsAndLaunchesNothing(int min, int max, string type, string? zone, string code)
    {
        var image = await Scenario.PublicImageAsync(fixture.Grains, Platform.Windows);
        var before = (await Scenario.Index(fixture.Grains).DescribeInstancesAsync(new InstanceQuery([], [], null, null))).Instances.Length;

        var act = () => fixture.Grains.GetGrain<IReservationGrain>(Ec2Ids.NewReservationId())
            .RunInstancesAsync(new RunInstancesRequest(AliceUs, image, min, max, type, null, zone, null, []));

        (await act.Should().ThrowAsync<Ec2Exception>()).Which.Code.Should().Be(code);
        (await Scenario.Index(fixture.Grains).DescribeInstancesAsync(new InstanceQuery([], [], null, null))).Instances.Length.Should().Be(before);
    }

    [Fact]
    public async Task Run_UnknownKeyPair_FailsWithKeyPairNotFound()
    {
        var act = () => Scenario.RunAsync(fixture.Grains, keyName: Scenario.Unique("missing"));

        (await act.Should().ThrowAsync<Ec2Exception>()).Which.Code.Should().Be(Ec2ErrorCodes.InvalidKeyPairNotFound);
    }

    [Fact]
    public async Task Run_UnknownOrMalformedImage_Fails()
    {
        var unknown = () => fixture.Grains.GetGrain<IReservationGrain>(Ec2Ids.NewReservationId())
            .RunInstancesAsync(new RunInstancesRequest(AliceUs, "ami-0123456789abcdef0", 1, 1, "m1.small", null, null, null, []));
        var malformed = () => fixture.Grains.GetGrain<IReservationGrain>(Ec2Ids.NewReservationId())
            .RunInstancesAsync(new RunInstancesRequest(AliceUs, "ami-xyz", 1, 1, "m1.small", null, null, null, []));

        (await unknown.Should().ThrowAsync<Ec2Exception>()).Which.Code.Should().Be(Ec2ErrorCodes.InvalidAmiIdNotFound);
        (await malformed.Should().ThrowAsync<Ec2Exception>()).Which.Code.Should().Be(Ec2ErrorCodes.InvalidAmiIdMalformed);
    }

    [Fact]
    public async Task Run_ImageOfAnotherRegion_FailsWithNotFound()
    {
        var euImage = await Scenario.PublicImageAsync(fixture.Grains, Platform.Windows, ClusterFixture.EuWest1);

        var act = () => fixture.Grains.GetGrain<IReservationGrain>(Ec2Ids.NewReservationId())
            .RunInstancesAsync(new RunInstancesRequest(AliceUs, euImage, 1, 1, "m1.small", null, null, null, []));

        (await act.Should().ThrowAsync<Ec2Exception>()).Which.Code.Should().Be(Ec2ErrorCodes.InvalidAmiIdNotFound);
    }

    [Fact]
    public async Task Run_InEuWest1_UsesItsZonesAndDnsNames()
    {
        var reservation = await Scenario.RunAsync(fixture.Grains, region: ClusterFixture.EuWest1);

        reservation.Instances[0].AvailabilityZone.Should().Be("eu-west-1a");
        reservation.Instances[0].PrivateDnsName.Should().EndWith(".eu-west-1.compute.internal");
    }
}
