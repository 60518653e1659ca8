namespace OrleansEc2.Grains.Tests.Images;

[Collection(ImageClusterCollection.Name)]
public sealed class ImageSharingTests(ImageClusterFixture fixture)
{
    private static readonly Caller Alice = new(ClusterFixture.Alice, ClusterFixture.UsEast1);
    private static readonly Caller Bob = new(ClusterFixture.Bob, ClusterFixture.UsEast1);

    private readonly ImageTestKit _kit = new(fixture);

    [Fact]
    public async Task Share_WithAnAccount_LetsItSeeAndLaunchTheImage_UntilRevoked()
    {
        var image = await RegisteredAsync();
        var grain = fixture.Grains.GetGrain<IImageGrain>(image.ImageId);

        var shared = await grain.ModifyLaunchPermissionAsync(Alice, Add(ClusterFixture.Bob));
        var seen = await BobsImagesAsync(new ImageQuery([], [], ["self"], []));
        var launched = await _kit.RunAsync(image.ImageId, account: ClusterFixture.Bob);
        var copy = fixture.Grains.GetGrain<IInstanceGrain>(launched.Instances[0].InstanceId);

        shared.Should().BeEquivalentTo(new ImageLaunchPermissions([ClusterFixture.Bob], false));
        seen.Should().ContainSingle(i => i.ImageId == image.ImageId).Which.OwnerId.Should().Be(ClusterFixture.Alice);
        (await copy.ReadFileAsync(ClusterFixture.Bob, @"C:\app\config.ini")).Should().NotBeEmpty();
        (await grain.DescribeAsync(Bob)).ImageId.Should().Be(image.ImageId);

        await grain.ModifyLaunchPermissionAsync(Alice, Remove(ClusterFixture.Bob));
        var afterRevoke = () => _kit.RunAsync(image.ImageId, account: ClusterFixture.Bob);

        (await BobsImagesAsync(new ImageQuery([], [], [], []))).Should().NotContain(i => i.ImageId == image.ImageId);
        (await afterRevoke.Should().ThrowAsync<Ec2Exception>()).Which.Code.Should().Be(Ec2ErrorCodes.InvalidAmiIdNotFound);
    }

    [Fact]
    public async Task Share_WithGroupAll_MakesItPublicToEveryAccount_UntilRemoved()
    {
        var image = await RegisteredAsync();
        var grain = fixture.Grains.GetGrain<IImageGrain>(image.ImageId);

        await grain.ModifyLaunchPermissionAsync(Alice, new LaunchPermissionModification([], true, [], false));
        var publicToBob = await BobsImagesAsync(new ImageQuery([image.ImageId], [], ["all"], []));
        var ownedByAlice = await BobsImagesAsync(new ImageQuery([], [ClusterFixture.Alice], [], []));
        var explicitlyBobs = await BobsImagesAsync(new ImageQuery([], [], ["self"], []));

        publicToBob.Should().ContainSingle().Which.IsPublic.Should().BeTrue();
        ownedByAlice.Should().Contain(i => i.ImageId == image.ImageId);
        explicitlyBobs.Should().NotContain(i => i.ImageId == image.ImageId, "a public image is not shared with Bob explicitly");
        (await _kit.RunAsync(image.ImageId, account: ClusterFixture.Bob)).Instances.Should().ContainSingle();

        await grain.ModifyLaunchPermissionAsync(Alice, new LaunchPermissionModification([], false, [], true));

        (await BobsImagesAsync(new ImageQuery([], [], [], []))).Should().NotContain(i => i.ImageId == image.ImageId);
        (await grain.DescribeAsync(Alice)).IsPublic.Should().BeFalse();
    }

    [Fact]
    public async Task ExecutableBy_AnotherAccount_ListsTheOwnersImagesSharedWithIt()
    {
        var sharedWithBob = await RegisteredAsync();
        var notShared = await RegisteredAsync();
        await fixture.Grains.GetGrain<IImageGrain>(sharedWithBob.ImageId).ModifyLaunchPermissionAsync(Alice, Add(ClusterFixture.Bob));

        var executableByBob = await Scenario.Index(fixture.Grains).DescribeImagesAsync(new ImageQuery([], ["self"], [ClusterFixture.Bob], []));
        var executableBySelf = await Scenario.Index(fixture.Grains).DescribeImagesAsync(new ImageQuery([], [], ["self"], []));

        executableByBob.Select(i => i.ImageId).Should().Contain(sharedWithBob.ImageId).And.NotContain(notShared.ImageId);
        executableBySelf.Select(i => i.ImageId).Should().Contain([sharedWithBob.ImageId, notShared.ImageId]);
        executableBySelf.Should().NotContain(i => i.OwnerAlias == "amazon", "public images are not executable-by self");
    }

    [Fact]
    public async Task ModifyLaunchPermission_ByAnotherAccount_FailsWithAuthFailureOrNotFound()
    {
        var image = await RegisteredAsync();
        var grain = fixture.Grains.GetGrain<IImageGrain>(image.ImageId);

        var unseen = () => grain.ModifyLaunchPermissionAsync(Bob, Add(ClusterFixture.Bob));
        (await unseen.Should().ThrowAsync<Ec2Exception>()).Which.Code.Should().Be(Ec2ErrorCodes.InvalidAmiIdNotFound);

        await grain.ModifyLaunchPermissionAsync(Alice, Add(ClusterFixture.Bob));
        var seen = () => grain.ModifyLaunchPermissionAsync(Bob, new LaunchPermissionModification([], true, [], false));
        var failure = (await seen.Should().ThrowAsync<Ec2Exception>()).Which;
        failure.Code.Should().Be(Ec2ErrorCodes.AuthFailure);
        failure.Message.Should().Be($"Not authorized for image:{image.ImageId}");
        (await grain.DescribeAsync(Alice)).IsPublic.Should().BeFalse();
    }

    [Fact]
    public async Task ModifyLaunchPermission_OfAPublicImageOfTheConfiguration_FailsWithAuthFailure()
    {
        var publicImage = await Scenario.PublicImageAsync(fixture.Grains, Platform.Windows);

        var act = () => fixture.Grains.GetGrain<IImageGrain>(publicImage).ModifyLaunchPermissionAsync(Alice, Add(ClusterFixture.Bob));

        (await act.Should().ThrowAsync<Ec2Exception>()).Which.Code.Should().Be(Ec2ErrorCodes.AuthFailure);
    }

    [Theory]
    [InlineData("12345")]
    [InlineData("all")]
    [InlineData("1111-2222-3333")]
    public async Task ModifyLaunchPermission_UserIdNotAnAccountId_FailsWithInvalidAttributeItemValue(string userId)
    {
        var image = await RegisteredAsync();

        var act = () => fixture.Grains.GetGrain<IImageGrain>(image.ImageId).ModifyLaunchPermissionAsync(Alice, Add(userId));

        var failure = (await act.Should().ThrowAsync<Ec2Exception>()).Which;
        failure.Code.Should().Be(Ec2ErrorCodes.InvalidAmiAttributeItemValue);
        failure.Message.Should().Be($"Invalid attribute item value ({userId}) for userId item type: a user id is a 12-digit account id.");
    }

    [Fact]
    public async Task ResetLaunchPermission_MakesTheImagePrivateAgain()
    {
        var image = await RegisteredAsync();
        var grain = fixture.Grains.GetGrain<IImageGrain>(image.ImageId);
        await grain.ModifyLaunchPermissionAsync(Alice, new LaunchPermissionModification([ClusterFixture.Bob], true, [], false));

        await grain.ResetLaunchPermissionAsync(Alice);

        (await grain.DescribeAttributesAsync(Alice, ImageAttributeName.LaunchPermission)).LaunchPermissions.Should().BeEquivalentTo(new ImageLaunchPermissions([], false));
        (await BobsImagesAsync(new ImageQuery([], [], [], []))).Should().NotContain(i => i.ImageId == image.ImageId);
    }

    [Fact]
    public async Task DescribeAttributes_LaunchPermissionIsTheOwners_OtherAttributesAreForWhoeverSeesTheImage()
    {
        var image = await RegisteredAsync(description: "web server");
        var grain = fixture.Grains.GetGrain<IImageGrain>(image.ImageId);
        await grain.ModifyLaunchPermissionAsync(Alice, Add(ClusterFixture.Bob));

        var owners = await grain.DescribeAttributesAsync(Alice, ImageAttributeName.LaunchPermission);
        var bobsDescription = await grain.DescribeAttributesAsync(Bob, ImageAttributeName.Description);
        var bobsPermission = () => grain.DescribeAttributesAsync(Bob, ImageAttributeName.LaunchPermission);

        owners.LaunchPermissions.Should().BeEquivalentTo(new ImageLaunchPermissions([ClusterFixture.Bob], false));
        bobsDescription.Description.Should().Be("web server");
        bobsDescription.LaunchPermissions.Should().BeNull();
        (await bobsPermission.Should().ThrowAsync<Ec2Exception>()).Which.Code.Should().Be(Ec2ErrorCodes.AuthFailure);
    }

    [Fact]
    public async Task ModifyDescription_ChangesItEverywhereTheImageIsListed()
    {
        var image = await RegisteredAsync(description: "before");
        var grain = fixture.Grains.GetGrain<IImageGrain>(image.ImageId);
        await grain.ModifyLaunchPermissionAsync(Alice, Add(ClusterFixture.Bob));

        await grain.ModifyDescriptionAsync(Alice, "after");

        (await Scenario.Index(fixture.Grains).DescribeImagesAsync(new ImageQuery([image.ImageId], [], [], []))).Single().Description.Should().Be("after");
        (await BobsImagesAsync(new ImageQuery([image.ImageId], [], [], []))).Single().Description.Should().Be("after");
    }

    [Fact]
    public async Task Deregister_DropsTheImageAndItsDisk_AndLaunchingItIsUnavailable()
    {
        var image = await RegisteredAsync();
        var grain = fixture.Grains.GetGrain<IImageGrain>(image.ImageId);
        await grain.ModifyLaunchPermissionAsync(Alice, Add(ClusterFixture.Bob));
        await _kit.RunAsync(image.ImageId);

        await grain.DeregisterAsync(Alice);

        (await Scenario.Index(fixture.Grains).DescribeImagesAsync(new ImageQuery([], ["self"], [], []))).Should().NotContain(i => i.ImageId == image.ImageId);
        (await BobsImagesAsync(new ImageQuery([], [], [], []))).Should().NotContain(i => i.ImageId == image.ImageId);
        (await grain.DescribeLaunchCacheAsync(Alice)).Disk.Should().BeNull();
        (await grain.DescribeAsync(Alice)).State.Should().Be(ImageState.Deregistered);
        foreach (var account in new[] { ClusterFixture.Alice, ClusterFixture.Bob })
        {
            var launch = () => _kit.RunAsync(image.ImageId, account: account);
            var failure = (await launch.Should().ThrowAsync<Ec2Exception>()).Which;
            failure.Code.Should().Be(Ec2ErrorCodes.InvalidAmiIdUnavailable);
            failure.Message.Should().Be($"The image id '[{image.ImageId}]' is no longer available: it was deregistered");
        }

        var again = () => grain.DeregisterAsync(Alice);
        (await again.Should().ThrowAsync<Ec2Exception>()).Which.Code.Should().Be(Ec2ErrorCodes.InvalidAmiIdUnavailable);
    }

    [Fact]
    public async Task Deregister_ByAnotherAccount_FailsWithAuthFailureOrNotFound()
    {
        var image = await RegisteredAsync();
        var grain = fixture.Grains.GetGrain<IImageGrain>(image.ImageId);

        var unseen = () => grain.DeregisterAsync(Bob);
        (await unseen.Should().ThrowAsync<Ec2Exception>()).Which.Code.Should().Be(Ec2ErrorCodes.InvalidAmiIdNotFound);

        await grain.ModifyLaunchPermissionAsync(Alice, Add(ClusterFixture.Bob));
        var seen = () => grain.DeregisterAsync(Bob);
        (await seen.Should().ThrowAsync<Ec2Exception>()).Which.Code.Should().Be(Ec2ErrorCodes.AuthFailure);
        (await grain.DescribeAsync(Alice)).State.Should().Be(ImageState.Available);
    }

    [Fact]
    public async Task Image_InAnotherRegion_IsNotFound()
    {
        var image = await RegisteredAsync();

        var act = () => fixture.Grains.GetGrain<IImageGrain>(image.ImageId).DescribeAsync(new Caller(ClusterFixture.Alice, ClusterFixture.EuWest1));

        (await act.Should().ThrowAsync<Ec2Exception>()).Which.Code.Should().Be(Ec2ErrorCodes.InvalidAmiIdNotFound);
    }

    [Fact]
    public async Task DescribeImages_FiltersRegisteredImagesByNameStatePlatformLocationArchitectureAndTags()
    {
        var image = await RegisteredAsync();
        await Scenario.Index(fixture.Grains).CreateTagsAsync([image.ImageId], [new Tag("stage", "prod")]);

        async Task<IEnumerable<string>> Ids(string filter, string value)
            => (await Scenario.Index(fixture.Grains).DescribeImagesAsync(new ImageQuery([], ["self"], [], [new Ec2Filter(filter, [value])]))).Select(i => i.ImageId);

        (await Ids("name", image.Name)).Should().Equal(image.ImageId);
        var atLocation = await Scenario.Index(fixture.Grains).DescribeImagesAsync(new ImageQuery([], [], [], [new Ec2Filter("manifest-location", [image.ImageLocation])]));
        atLocation.Should().Contain(i => i.ImageId == image.ImageId).And.OnlyContain(i => i.ImageLocation == image.ImageLocation);
        (await Ids("manifest-location", "nobucket/*")).Should().NotContain(image.ImageId);
        (await Ids("state", "available")).Should().Contain(image.ImageId);
        (await Ids("platform", "windows")).Should().Contain(image.ImageId);
        (await Ids("architecture", "i386")).Should().Contain(image.ImageId);
        (await Ids("architecture", "x86_64")).Should().NotContain(image.ImageId);
        (await Ids("tag:stage", "prod")).Should().Contain(image.ImageId);
        (await Ids("is-public", "false")).Should().Contain(image.ImageId);
    }

    private static LaunchPermissionModification Add(string userId) => new([userId], false, [], false);

    private static LaunchPermissionModification Remove(string userId) => new([], false, [userId], false);

    private Task<System.Collections.Immutable.ImmutableArray<ImageDescription>> BobsImagesAsync(ImageQuery query)
        => Scenario.Index(fixture.Grains, ClusterFixture.Bob).DescribeImagesAsync(query);

    private async Task<ImageDescription> RegisteredAsync(string? description = null)
        => await _kit.RegisterAsync(await fixture.SharedBundleAsync(), description: description);
}
