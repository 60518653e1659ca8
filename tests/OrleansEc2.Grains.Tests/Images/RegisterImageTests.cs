using System.Text;

namespace OrleansEc2.Grains.Tests.Images;

[Collection(ImageClusterCollection.Name)]
public sealed class RegisterImageTests(ImageClusterFixture fixture)
{
    private readonly ImageTestKit _kit = new(fixture);

    [Fact]
    public async Task Register_BundleOfAWindowsInstance_IsAnAvailableWindowsImageOfTheCaller()
    {
        var location = await fixture.SharedBundleAsync();
        var name = Scenario.Unique("Windows 2003 (web) [v1]");

        var image = await _kit.RegisterAsync(location, name, description: "IIS and the app");

        image.ImageId.Should().MatchRegex("^ami-[0-9a-f]{17}$");
        image.Should().BeEquivalentTo(new
        {
            Region = ClusterFixture.UsEast1,
            OwnerId = ClusterFixture.Alice,
            OwnerAlias = (string?)null,
            Name = name,
            Description = "IIS and the app",
            Architecture = "i386",
            Platform = Platform.Windows,
            State = ImageState.Available,
            ImageLocation = location,
            IsPublic = false,
            CreationDate = fixture.Time.GetUtcNow(),
        });
        var listed = await Scenario.Index(fixture.Grains).DescribeImagesAsync(new ImageQuery([image.ImageId], [], [], []));
        listed.Should().ContainSingle().Which.Name.Should().Be(name);
    }

    [Fact]
    public async Task Register_RecordsTheManifestAndEachPartAsTheyAreInTheBucket()
    {
        var image = await _kit.RegisterAsync(await fixture.SharedBundleAsync());

        var attributes = await fixture.Grains.GetGrain<IImageGrain>(image.ImageId).DescribeAttributesAsync(Alice, ImageAttributeName.BlockDeviceMapping);
        var cache = await fixture.Grains.GetGrain<IImageGrain>(image.ImageId).DescribeLaunchCacheAsync(Alice);

        attributes.BlockDeviceMappings.Should().Equal(new ImageBlockDeviceMapping("ami", "sda1"), new ImageBlockDeviceMapping("root", "/dev/sda1"));
        cache.Should().Be(new ImageLaunchCache(image.ImageId, null, 0), "registering reads no part");
    }

    [Fact]
    public async Task Register_ManifestInAFolder_FindsThePartsNextToIt()
    {
        var bucket = Scenario.Unique("bundles");
        var location = await _kit.BundleAsync(await _kit.CustomizedInstanceAsync(), bucket, "foldered", folder: "images/2008/");

        var image = await _kit.RegisterAsync(location);
        var reservation = await _kit.RunAsync(image.ImageId);

        image.ImageLocation.Should().Be($"{bucket}/images/2008/foldered.manifest.xml");
        reservation.Instances.Should().ContainSingle().Which.ImageId.Should().Be(image.ImageId);
    }

    [Fact]
    public async Task Register_WithoutArchitecture_TakesTheManifests_AndTheParameterOverridesIt()
    {
        var location = await fixture.SharedBundleAsync();

        var fromManifest = await _kit.RegisterAsync(location);
        var given = await _kit.RegisterAsync(location, architecture: "x86_64");

        fromManifest.Architecture.Should().Be("i386");
        given.Architecture.Should().Be("x86_64");
    }

    [Fact]
    public async Task Register_SameRequestOnTheSameId_ReturnsTheSameImage()
    {
        var location = await fixture.SharedBundleAsync();
        var id = Ec2Ids.NewImageId();
        var request = new RegisterImageRequest(Alice, location, Scenario.Unique("retry"), null, null);

        var first = await fixture.Grains.GetGrain<IImageGrain>(id).RegisterAsync(request);
        var again = await fixture.Grains.GetGrain<IImageGrain>(id).RegisterAsync(request);

        again.Should().Be(first);
    }

    [Fact]
    public async Task Register_NameInUse_FailsWithDuplicate_UntilTheImageHoldingItIsDeregistered()
    {
        var location = await fixture.SharedBundleAsync();
        var name = Scenario.Unique("web");
        var first = await _kit.RegisterAsync(location, name);

        var duplicate = () => _kit.RegisterAsync(location, name);
        var inOtherRegionOrAccount = await _kit.RegisterAsync(await _kit.BundleAsync(
            await _kit.CustomizedInstanceAsync(ClusterFixture.Bob), Scenario.Unique("bundles"), "dup", ClusterFixture.Bob), name, ClusterFixture.Bob);

        var failure = (await duplicate.Should().ThrowAsync<Ec2Exception>()).Which;
        failure.Code.Should().Be(Ec2ErrorCodes.InvalidAmiNameDuplicate);
        failure.Message.Should().Be($"AMI name {name} is already in use by AMI {first.ImageId}");
        inOtherRegionOrAccount.Name.Should().Be(name);

        await fixture.Grains.GetGrain<IImageGrain>(first.ImageId).DeregisterAsync(Alice);
        (await _kit.RegisterAsync(location, name)).Name.Should().Be(name);
    }

    [Theory]
    [InlineData("ab")]
    [InlineData("name*with*stars")]
    [InlineData("tab\tname")]
    [InlineData("")]
    public async Task Register_MalformedName_FailsWithInvalidAmiNameMalformed(string name)
    {
        var act = () => fixture.Grains.GetGrain<IImageGrain>(Ec2Ids.NewImageId())
            .RegisterAsync(new RegisterImageRequest(Alice, "bucket/x.manifest.xml", name, null, null));

        var failure = (await act.Should().ThrowAsync<Ec2Exception>()).Which;
        failure.Code.Should().Be(Ec2ErrorCodes.InvalidAmiNameMalformed);
        failure.Message.Should().StartWith($"AMI name '{name}' is not valid: AMI names must be between 3 and 128 characters long");
    }

    [Fact]
    public async Task Register_NameOf129Characters_IsMalformed_And128IsAccepted()
    {
        var location = await fixture.SharedBundleAsync();

        var tooLong = () => _kit.RegisterAsync(location, new string('n', 129));
        var longest = await _kit.RegisterAsync(location, Scenario.Unique("n").PadRight(128, 'n'));

        (await tooLong.Should().ThrowAsync<Ec2Exception>()).Which.Code.Should().Be(Ec2ErrorCodes.InvalidAmiNameMalformed);
        longest.Name.Should().HaveLength(128);
    }

    [Theory]
    [InlineData("no-slash.manifest.xml")]
    [InlineData("/key.manifest.xml")]
    [InlineData("bucket/")]
    [InlineData("bucket/folder/")]
    public async Task Register_MalformedLocation_FailsWithInvalidParameterValue(string location)
    {
        var act = () => _kit.RegisterAsync(location);

        var failure = (await act.Should().ThrowAsync<Ec2Exception>()).Which;
        failure.Code.Should().Be(Ec2ErrorCodes.InvalidParameterValue);
        failure.Message.Should().Be($"Invalid value '{location}' for ImageLocation: expected the manifest's bucket and key, as in mybucket/myimage.manifest.xml.");
    }

    [Fact]
    public async Task Register_BadArchitectureOrDescription_FailsWithInvalidParameterValue()
    {
        var architecture = () => _kit.RegisterAsync("bucket/x.manifest.xml", architecture: "sparc");
        var description = () => _kit.RegisterAsync("bucket/x.manifest.xml", description: new string('d', 256));

        (await architecture.Should().ThrowAsync<Ec2Exception>()).Which.Message.Should().Be("Value (sparc) for parameter architecture is invalid. Valid values: i386, x86_64.");
        (await description.Should().ThrowAsync<Ec2Exception>()).Which.Code.Should().Be(Ec2ErrorCodes.InvalidParameterValue);
    }

    [Fact]
    public async Task Register_MissingBucketOrManifest_FailsWithWhatEc2Says()
    {
        var bucket = Scenario.Unique("bundles");
        await _kit.BucketAsync(bucket);

        var noBucket = () => _kit.RegisterAsync($"{Scenario.Unique("nobucket")}/x.manifest.xml");
        var noManifest = () => _kit.RegisterAsync($"{bucket}/missing.manifest.xml");

        (await noBucket.Should().ThrowAsync<Ec2Exception>()).Which.Code.Should().Be(Ec2ErrorCodes.InvalidManifest);
        var failure = (await noManifest.Should().ThrowAsync<Ec2Exception>()).Which;
        failure.Code.Should().Be(Ec2ErrorCodes.InvalidManifest);
        failure.Message.Should().Be($"HTTP 404 (Not Found) response for URL http://s3.amazonaws.com:80/{bucket}/missing.manifest.xml: check your manifest path is correct and in the correct region.");
    }

    [Fact]
    public async Task Register_ManifestInAnotherAccountsBucket_IsRefused()
    {
        var bucket = Scenario.Unique("bobs");
        var location = await _kit.BundleAsync(await _kit.CustomizedInstanceAsync(ClusterFixture.Bob), bucket, "bobs", ClusterFixture.Bob);

        var act = () => _kit.RegisterAsync(location);

        var failure = (await act.Should().ThrowAsync<Ec2Exception>()).Which;
        failure.Code.Should().Be(Ec2ErrorCodes.InvalidManifest);
        failure.Message.Should().Be($"HTTP 403 (Forbidden) response for URL http://s3.amazonaws.com:80/{location}: check your S3 ACLs are correct (the bucket {bucket} is not yours).");
    }

    [Fact]
    public async Task Register_TamperedManifest_FailsWithInvalidManifest()
    {
        var bucket = Scenario.Unique("bundles");
        var location = await _kit.BundleAsync(await _kit.CustomizedInstanceAsync(), bucket, "tampered");
        var xml = Encoding.UTF8.GetString(await _kit.GetAsync(bucket, "tampered.manifest.xml"));
        await _kit.PutAsync(bucket, "tampered.manifest.xml", Encoding.UTF8.GetBytes(xml.Replace("<architecture>i386</architecture>", "<architecture>x86_64</architecture>")));

        var act = () => _kit.RegisterAsync(location);

        var failure = (await act.Should().ThrowAsync<Ec2Exception>()).Which;
        failure.Code.Should().Be(Ec2ErrorCodes.InvalidManifest);
        failure.Message.Should().Be($"The manifest {location} is not valid: The manifest signature does not match its content: the machine_configuration or image element was changed after the user signed it.");
    }

    [Fact]
    public async Task Register_ManifestSignedWithAnotherAccountsKey_FailsWithInvalidManifest()
    {
        var bobsCredentials = await fixture.Grains.GetGrain<IAccountGrain>(ClusterFixture.Bob).GetSigningCredentialsAsync();
        var location = await _kit.BundleAsync(await _kit.CustomizedInstanceAsync(), Scenario.Unique("bundles"), "forged", signedBy: bobsCredentials);

        var act = () => _kit.RegisterAsync(location);

        var failure = (await act.Should().ThrowAsync<Ec2Exception>()).Which;
        failure.Code.Should().Be(Ec2ErrorCodes.InvalidManifest);
        failure.Message.Should().StartWith($"The manifest {location} is not valid: The manifest was not signed by the user's certificate (CN=alice (111122223333)");
        failure.Message.Should().EndWith("it was signed with another private key.");
    }

    [Fact]
    public async Task Register_ManifestBundledByAnotherAccount_FailsWithInvalidManifest()
    {
        var bobs = Scenario.Unique("bobs");
        await _kit.BundleAsync(await _kit.CustomizedInstanceAsync(ClusterFixture.Bob), bobs, "copied", ClusterFixture.Bob);
        var alices = Scenario.Unique("alices");
        await _kit.BucketAsync(alices);
        await _kit.PutAsync(alices, "copied.manifest.xml", await _kit.GetAsync(bobs, "copied.manifest.xml", ClusterFixture.Bob));

        var act = () => _kit.RegisterAsync($"{alices}/copied.manifest.xml");

        (await act.Should().ThrowAsync<Ec2Exception>()).Which.Message.Should().Be(
            $"The manifest {alices}/copied.manifest.xml is not valid: it was bundled by account {ClusterFixture.Bob}, not {ClusterFixture.Alice}: only the account that bundled an image can register it.");
    }

    [Fact]
    public async Task Register_NotAManifest_FailsWithInvalidManifest()
    {
        var bucket = Scenario.Unique("bundles");
        await _kit.BucketAsync(bucket);
        await _kit.PutAsync(bucket, "junk.manifest.xml", "this is not xml"u8.ToArray());

        var act = () => _kit.RegisterAsync($"{bucket}/junk.manifest.xml");

        var failure = (await act.Should().ThrowAsync<Ec2Exception>()).Which;
        failure.Code.Should().Be(Ec2ErrorCodes.InvalidManifest);
        failure.Message.Should().StartWith($"The manifest {bucket}/junk.manifest.xml is not valid: The manifest is not well-formed XML");
    }

    [Fact]
    public async Task Register_PartMissingFromTheBucket_FailsWithInvalidManifest()
    {
        var bucket = Scenario.Unique("bundles");
        var location = await _kit.BundleAsync(await _kit.CustomizedInstanceAsync(), bucket, "holes");
        await fixture.Grains.GetGrain<IBucketGrain>(bucket).DeleteObjectAsync(ClusterFixture.Alice, "holes.part.01");

        var act = () => _kit.RegisterAsync(location);

        (await act.Should().ThrowAsync<Ec2Exception>()).Which.Message.Should().Be(
            $"The manifest {location} is not valid: its part holes.part.01 is not in the bucket (no object {bucket}/holes.part.01).");
    }

    [Fact]
    public async Task Register_FirstPartNotOfThisBundle_FailsWithInvalidManifest()
    {
        var bucket = Scenario.Unique("bundles");
        var location = await _kit.BundleAsync(await _kit.CustomizedInstanceAsync(), bucket, "garbled");
        await _kit.PutAsync(bucket, "garbled.part.00", new byte[ImageTestKit.PartSize]);

        var act = () => _kit.RegisterAsync(location);

        var failure = (await act.Should().ThrowAsync<Ec2Exception>()).Which;
        failure.Code.Should().Be(Ec2ErrorCodes.InvalidManifest);
        failure.Message.Should().StartWith($"The manifest {location} is not valid: its first part garbled.part.00 does not decrypt to a disk image with its image key");
    }

    [Fact]
    public async Task Register_BundleSealedForUsEast1InEuWest1_IsRefusedWithTheMigrateMessage()
    {
        var bucket = Scenario.Unique("eu-copy");
        var location = await _kit.BundleAsync(await _kit.CustomizedInstanceAsync(), bucket, "unmigrated", bucketRegion: ClusterFixture.EuWest1);

        var act = () => _kit.RegisterAsync(location, region: ClusterFixture.EuWest1);

        var failure = (await act.Should().ThrowAsync<Ec2Exception>()).Which;
        failure.Code.Should().Be(Ec2ErrorCodes.InvalidManifest);
        failure.Message.Should().Be($"The manifest {location} was bundled for us-east-1; use ec2-migrate-image to move it to eu-west-1 first.");
    }

    [Fact]
    public async Task Register_ManifestInABucketOfAnotherRegion_IsRefusedWithTheMigrateMessage()
    {
        var bucket = Scenario.Unique("us-bundles");
        var location = await _kit.BundleAsync(await _kit.CustomizedInstanceAsync(), bucket, "elsewhere");

        var act = () => _kit.RegisterAsync(location, region: ClusterFixture.EuWest1);

        var failure = (await act.Should().ThrowAsync<Ec2Exception>()).Which;
        failure.Code.Should().Be(Ec2ErrorCodes.InvalidManifest);
        failure.Message.Should().Be(
            $"The manifest {location} is in a bucket in us-east-1, not in eu-west-1: an image is registered in the region of its bucket. Use ec2-migrate-image to move it to a bucket in eu-west-1 first.");
    }

    [Fact]
    public async Task Register_BundleSealedForEuWest1InItsRegion_Launches()
    {
        var location = await _kit.BundleAsync(await _kit.CustomizedInstanceAsync(), Scenario.Unique("eu"), "eu", sealedFor: ClusterFixture.EuWest1, bucketRegion: ClusterFixture.EuWest1);

        var image = await _kit.RegisterAsync(location, region: ClusterFixture.EuWest1);
        var reservation = await _kit.RunAsync(image.ImageId, region: ClusterFixture.EuWest1);

        image.Region.Should().Be(ClusterFixture.EuWest1);
        reservation.Instances[0].AvailabilityZone.Should().Be("eu-west-1a");
    }

    private static Caller Alice => new(ClusterFixture.Alice, ClusterFixture.UsEast1);
}
