using System.Text;
using Amazon.EC2;
using Amazon.EC2.Model;
using OrleansEc2.Api.Tests.Infrastructure;

namespace OrleansEc2.Api.Tests.Images;

using ImageAttributeName = Amazon.EC2.ImageAttributeName;
using InstanceStateName = Amazon.EC2.InstanceStateName;
using RegisterImageRequest = Amazon.EC2.Model.RegisterImageRequest;

/// <summary>RegisterImage, DescribeImages, DeregisterImage and the image attributes through the AWS SDK for .NET.</summary>
[Collection(ImageApiSiloCollection.Name)]
public sealed class ImageRegistrationActionTests(ImageApiSiloFixture silo)
{
    private const string Password = "Bundled!Pass1";

    private readonly BundleKit _kit = new(silo);

    [Fact]
    public async Task RegisterAndRun_ThroughTheSdk_LaunchesCopiesOfTheBundledInstance()
    {
        using var ec2 = silo.Alices();
        var keyName = Ec2Scenario.UniqueName("key");
        await ec2.CreateKeyPairAsync(new CreateKeyPairRequest { KeyName = keyName });
        var original = (await Ec2Scenario.RunAsync(ec2, keyName: keyName)).Single().InstanceId;
        await _kit.CustomizeAsync(original, Password, files: [(@"C:\inetpub\wwwroot\index.html", "<h1>hello</h1>")]);
        var location = await _kit.BundleWithTaskAsync(ec2, original, Ec2Scenario.UniqueName("bundles"), "web");
        var name = Ec2Scenario.UniqueName("web server");

        var registered = await ec2.RegisterImageAsync(new RegisterImageRequest { ImageLocation = location, Name = name, Description = "IIS 6" });
        var described = (await ec2.DescribeImagesAsync(new DescribeImagesRequest { ImageIds = [registered.ImageId] })).Images.Single();
        var run = await ec2.RunInstancesAsync(new Amazon.EC2.Model.RunInstancesRequest { ImageId = registered.ImageId, MinCount = 3, MaxCount = 3, KeyName = keyName });

        registered.ImageId.Should().MatchRegex("^ami-[0-9a-f]{17}$");
        described.Should().BeEquivalentTo(new
        {
            ImageLocation = location,
            Name = name,
            Description = "IIS 6",
            OwnerId = ApiSiloFixture.Alice,
            Architecture = ArchitectureValues.I386,
            Platform = PlatformValues.Windows,
            Public = false,
            RootDeviceType = RootDeviceType.InstanceStore,
            ImageType = ImageTypeValues.Machine,
        }, o => o.ExcludingMissingMembers());
        described.State.Value.Should().Be("available");
        run.Reservation.Instances.Should().HaveCount(3).And.OnlyContain(i => i.ImageId == registered.ImageId && i.Platform == PlatformValues.Windows);
        foreach (var instance in run.Reservation.Instances)
        {
            (await ec2.GetPasswordDataAsync(new GetPasswordDataRequest { InstanceId = instance.InstanceId })).PasswordData.Should().BeEmpty();
            Encoding.UTF8.GetString(await _kit.ReadFileAsync(instance.InstanceId, @"C:\inetpub\wwwroot\index.html")).Should().Be("<h1>hello</h1>");
        }
    }

    [Fact]
    public async Task DescribeImages_OwnersAndFilters_SelectRegisteredImages()
    {
        using var ec2 = silo.Alices();
        var image = await RegisteredAsync(ec2);

        var mine = await ec2.DescribeImagesAsync(new DescribeImagesRequest { Owners = ["self"] });
        var byLocation = await ec2.DescribeImagesAsync(new DescribeImagesRequest { Filters = [new Filter("manifest-location", [image.Location])] });
        var windows = await ec2.DescribeImagesAsync(new DescribeImagesRequest { Owners = ["self"], Filters = [new Filter("platform", ["windows"]), new Filter("state", ["available"])] });
        var amazons = await ec2.DescribeImagesAsync(new DescribeImagesRequest { Owners = ["amazon"] });

        mine.Images.Should().Contain(i => i.ImageId == image.Id).And.OnlyContain(i => i.OwnerId == ApiSiloFixture.Alice);
        byLocation.Images.Should().ContainSingle().Which.ImageId.Should().Be(image.Id);
        windows.Images.Should().Contain(i => i.ImageId == image.Id);
        amazons.Images.Should().NotContain(i => i.ImageId == image.Id);
    }

    [Fact]
    public async Task ModifyImageAttribute_SharesWithAnAccount_WhichSeesAndLaunchesIt_UntilRemoved()
    {
        using var alice = silo.Alices();
        using var bob = silo.Bobs();
        var image = await RegisteredAsync(alice);

        await alice.ModifyImageAttributeAsync(new ModifyImageAttributeRequest
        {
            ImageId = image.Id,
            LaunchPermission = new LaunchPermissionModifications { Add = [new LaunchPermission { UserId = ApiSiloFixture.Bob }] },
        });
        var permissions = await alice.DescribeImageAttributeAsync(new DescribeImageAttributeRequest { ImageId = image.Id, Attribute = ImageAttributeName.LaunchPermission });
        var bobSees = await bob.DescribeImagesAsync(new DescribeImagesRequest { ExecutableUsers = ["self"] });
        var bobRuns = await bob.RunInstancesAsync(new Amazon.EC2.Model.RunInstancesRequest { ImageId = image.Id, MinCount = 1, MaxCount = 1 });
        var bobAsksPermissions = () => bob.DescribeImageAttributeAsync(new DescribeImageAttributeRequest { ImageId = image.Id, Attribute = ImageAttributeName.LaunchPermission });

        permissions.ImageAttribute.LaunchPermissions.Should().ContainSingle().Which.UserId.Should().Be(ApiSiloFixture.Bob);
        bobSees.Images.Should().ContainSingle(i => i.ImageId == image.Id).Which.OwnerId.Should().Be(ApiSiloFixture.Alice);
        bobRuns.Reservation.OwnerId.Should().Be(ApiSiloFixture.Bob);
        (await bobAsksPermissions.Should().ThrowAsync<AmazonEC2Exception>()).Which.ErrorCode.Should().Be("AuthFailure");

        await alice.ModifyImageAttributeAsync(new ModifyImageAttributeRequest
        {
            ImageId = image.Id,
            Attribute = "launchPermission",
            OperationType = OperationType.Remove,
            UserIds = [ApiSiloFixture.Bob],
        });
        var bobRunsAgain = () => bob.RunInstancesAsync(new Amazon.EC2.Model.RunInstancesRequest { ImageId = image.Id, MinCount = 1, MaxCount = 1 });

        (await bob.DescribeImagesAsync(new DescribeImagesRequest())).Images.Should().NotContain(i => i.ImageId == image.Id);
        (await bobRunsAgain.Should().ThrowAsync<AmazonEC2Exception>()).Which.ErrorCode.Should().Be("InvalidAMIID.NotFound");
    }

    [Fact]
    public async Task ModifyImageAttribute_GroupAll_MakesItPublic_AndResetMakesItPrivate()
    {
        using var alice = silo.Alices();
        using var bob = silo.Bobs();
        var image = await RegisteredAsync(alice);

        await alice.ModifyImageAttributeAsync(new ModifyImageAttributeRequest
        {
            ImageId = image.Id,
            LaunchPermission = new LaunchPermissionModifications { Add = [new LaunchPermission { Group = PermissionGroup.All }] },
        });
        var publicToBob = await bob.DescribeImagesAsync(new DescribeImagesRequest { ImageIds = [image.Id] });
        var attribute = await alice.DescribeImageAttributeAsync(new DescribeImageAttributeRequest { ImageId = image.Id, Attribute = ImageAttributeName.LaunchPermission });

        publicToBob.Images.Single().Public.Should().BeTrue();
        attribute.ImageAttribute.LaunchPermissions.Should().ContainSingle().Which.Group.Should().Be(PermissionGroup.All);

        await alice.ResetImageAttributeAsync(new ResetImageAttributeRequest { ImageId = image.Id, Attribute = ResetImageAttributeName.LaunchPermission });

        var hidden = () => bob.DescribeImagesAsync(new DescribeImagesRequest { ImageIds = [image.Id] });
        (await hidden.Should().ThrowAsync<AmazonEC2Exception>()).Which.ErrorCode.Should().Be("InvalidAMIID.NotFound");
        (await alice.DescribeImageAttributeAsync(new DescribeImageAttributeRequest { ImageId = image.Id, Attribute = ImageAttributeName.LaunchPermission }))
            .ImageAttribute.LaunchPermissions.Should().BeNullOrEmpty();
    }

    [Fact]
    public async Task ModifyImageAttribute_Description_IsWhatDescribeImageAttributeShows()
    {
        using var ec2 = silo.Alices();
        var image = await RegisteredAsync(ec2);

        await ec2.ModifyImageAttributeAsync(new ModifyImageAttributeRequest { ImageId = image.Id, Description = "patched in October" });
        var attribute = await ec2.DescribeImageAttributeAsync(new DescribeImageAttributeRequest { ImageId = image.Id, Attribute = ImageAttributeName.Description });
        var kernel = await ec2.DescribeImageAttributeAsync(new DescribeImageAttributeRequest { ImageId = image.Id, Attribute = ImageAttributeName.Kernel });

        attribute.ImageAttribute.ImageId.Should().Be(image.Id);
        attribute.ImageAttribute.Description.Should().Be("patched in October");
        kernel.ImageAttribute.KernelId.Should().BeNull();
        (await ec2.DescribeImagesAsync(new DescribeImagesRequest { ImageIds = [image.Id] })).Images.Single().Description.Should().Be("patched in October");
    }

    [Fact]
    public async Task DeregisterImage_DropsItFromDescribeImages_AndRunInstancesFindsItUnavailable()
    {
        using var ec2 = silo.Alices();
        var image = await RegisteredAsync(ec2);

        await ec2.DeregisterImageAsync(new DeregisterImageRequest { ImageId = image.Id });

        var describe = () => ec2.DescribeImagesAsync(new DescribeImagesRequest { ImageIds = [image.Id] });
        var run = () => ec2.RunInstancesAsync(new Amazon.EC2.Model.RunInstancesRequest { ImageId = image.Id, MinCount = 1, MaxCount = 1 });
        (await describe.Should().ThrowAsync<AmazonEC2Exception>()).Which.ErrorCode.Should().Be("InvalidAMIID.NotFound");
        (await run.Should().ThrowAsync<AmazonEC2Exception>()).Which.ErrorCode.Should().Be("InvalidAMIID.Unavailable");
        (await ec2.DescribeImagesAsync(new DescribeImagesRequest { Owners = ["self"] })).Images.Should().NotContain(i => i.ImageId == image.Id);
    }

    [Fact]
    public async Task RunInstances_AfterAPartChanged_FailsWithInvalidManifest_AndRegisteringAgainLaunches()
    {
        using var ec2 = silo.Alices();
        var instance = (await Ec2Scenario.RunAsync(ec2)).Single().InstanceId;
        await _kit.CustomizeAsync(instance, Password, files: [(@"C:\version.txt", "1")]);
        var bucket = Ec2Scenario.UniqueName("bundles");
        var location = await _kit.BundleWithTaskAsync(ec2, instance, bucket, "changing");
        var first = (await ec2.RegisterImageAsync(new RegisterImageRequest { ImageLocation = location, Name = Ec2Scenario.UniqueName("v1") })).ImageId;
        await _kit.CustomizeAsync(instance, Password, files: [(@"C:\version.txt", "2")]);
        await _kit.BundleWithTaskAsync(ec2, instance, bucket, "changing");

        var stale = () => ec2.RunInstancesAsync(new Amazon.EC2.Model.RunInstancesRequest { ImageId = first, MinCount = 1, MaxCount = 1 });

        var failure = (await stale.Should().ThrowAsync<AmazonEC2Exception>()).Which;
        failure.ErrorCode.Should().Be("InvalidManifest");
        failure.Message.Should().Be($"The manifest or a part of {first} changed in {location} since it was registered: register the image again.");

        var second = (await ec2.RegisterImageAsync(new RegisterImageRequest { ImageLocation = location, Name = Ec2Scenario.UniqueName("v2") })).ImageId;
        var copy = (await ec2.RunInstancesAsync(new Amazon.EC2.Model.RunInstancesRequest { ImageId = second, MinCount = 1, MaxCount = 1 })).Reservation.Instances.Single();
        (await _kit.ReadFileAsync(copy.InstanceId, @"C:\version.txt")).Should().Equal("2"u8.ToArray());
    }

    [Fact]
    public async Task RegisterImage_BundledForUsEast1_InEuWest1_IsRefusedWithTheMigrateMessage()
    {
        using var us = silo.Alices();
        using var eu = silo.Ec2(region: "eu-west-1");
        var instance = (await Ec2Scenario.RunAsync(us)).Single().InstanceId;
        var location = await _kit.BundleAsync(instance, Ec2Scenario.UniqueName("eu-bundles"), "unmigrated", bucketRegion: "eu-west-1");

        var act = () => eu.RegisterImageAsync(new RegisterImageRequest { ImageLocation = location, Name = Ec2Scenario.UniqueName("eu") });

        var failure = (await act.Should().ThrowAsync<AmazonEC2Exception>()).Which;
        failure.ErrorCode.Should().Be("InvalidManifest");
        failure.Message.Should().Be($"The manifest {location} was bundled for us-east-1; use ec2-migrate-image to move it to eu-west-1 first.");

        var inUsBucket = await _kit.BundleAsync(instance, Ec2Scenario.UniqueName("us-bundles"), "unmigrated");
        var fromUsBucket = () => eu.RegisterImageAsync(new RegisterImageRequest { ImageLocation = inUsBucket, Name = Ec2Scenario.UniqueName("eu") });
        var bucketFailure = (await fromUsBucket.Should().ThrowAsync<AmazonEC2Exception>()).Which;
        bucketFailure.ErrorCode.Should().Be("InvalidManifest");
        bucketFailure.Message.Should().EndWith("Use ec2-migrate-image to move it to a bucket in eu-west-1 first.");
    }

    [Fact]
    public async Task RunInstances_TwentyConcurrentCalls_ShareOneUnbundle_AndAllRun()
    {
        using var ec2 = silo.Alices();
        var image = await RegisteredAsync(ec2);

        var runs = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ =>
            ec2.RunInstancesAsync(new Amazon.EC2.Model.RunInstancesRequest { ImageId = image.Id, MinCount = 1, MaxCount = 1 })));
        var ids = runs.Select(r => r.Reservation.Instances.Single().InstanceId).ToList();
        var described = await ec2.DescribeInstancesAsync(new DescribeInstancesRequest { InstanceIds = ids });

        described.Reservations.SelectMany(r => r.Instances).Should().HaveCount(20).And.OnlyContain(i => i.State.Name == InstanceStateName.Running);
        (await _kit.LaunchCacheAsync(image.Id)).Unbundles.Should().Be(1);
    }

    [Fact]
    public async Task RunInstances_MaxCountTwenty_UnbundlesOnce()
    {
        using var ec2 = silo.Alices();
        var image = await RegisteredAsync(ec2);

        var run = await ec2.RunInstancesAsync(new Amazon.EC2.Model.RunInstancesRequest { ImageId = image.Id, MinCount = 20, MaxCount = 20 });

        run.Reservation.Instances.Should().HaveCount(20);
        (await _kit.LaunchCacheAsync(image.Id)).Unbundles.Should().Be(1);
    }

    [Fact]
    public async Task RegisteredImage_OutlivesItsActivation_InTheSiloStorage()
    {
        using var alice = silo.Alices();
        using var bob = silo.Bobs();
        var image = await RegisteredAsync(alice);
        await alice.ModifyImageAttributeAsync(Share(image.Id, ApiSiloFixture.Bob));
        await alice.RunInstancesAsync(new Amazon.EC2.Model.RunInstancesRequest { ImageId = image.Id, MinCount = 1, MaxCount = 1 });
        var cache = await _kit.LaunchCacheAsync(image.Id);

        // Every idle activation goes: the image, the indexes and the buckets are read back from SQLite.
        var management = silo.Grains.GetGrain<IManagementGrain>(0);
        async Task<int> ImageActivationsAsync() => (await management.GetSimpleGrainStatistics())
            .Where(g => g.GrainType.Contains("ImageGrain", StringComparison.Ordinal)).Sum(g => g.ActivationCount);
        (await ImageActivationsAsync()).Should().BePositive();
        await management.ForceActivationCollection(TimeSpan.Zero);
        (await ImageActivationsAsync()).Should().Be(0);

        var permissions = await alice.DescribeImageAttributeAsync(new DescribeImageAttributeRequest { ImageId = image.Id, Attribute = ImageAttributeName.LaunchPermission });
        var bobRuns = await bob.RunInstancesAsync(new Amazon.EC2.Model.RunInstancesRequest { ImageId = image.Id, MinCount = 1, MaxCount = 1 });
        var described = (await alice.DescribeImagesAsync(new DescribeImagesRequest { ImageIds = [image.Id] })).Images.Single();

        permissions.ImageAttribute.LaunchPermissions.Should().ContainSingle().Which.UserId.Should().Be(ApiSiloFixture.Bob);
        bobRuns.Reservation.Instances.Should().ContainSingle();
        described.Name.Should().Be(image.Name);
        described.ImageLocation.Should().Be(image.Location);
        (await _kit.LaunchCacheAsync(image.Id)).Should().Be(cache, "the unbundled disk was kept, not made again");
    }

    [Fact]
    public async Task EachRefusal_SurfacesItsErrorCodeThroughTheSdk()
    {
        using var alice = silo.Alices();
        using var bob = silo.Bobs();
        var image = await RegisteredAsync(alice);
        var bucket = image.Location[..image.Location.IndexOf('/')];
        var manifest = Encoding.UTF8.GetString(await _kit.GetAsync(bucket, "shared.manifest.xml"));
        await _kit.PutAsync(bucket, "tampered.manifest.xml", Encoding.UTF8.GetBytes(manifest.Replace("<name>shared</name>", "<name>tampered</name>")));
        var bobsBucket = Ec2Scenario.UniqueName("bobs");
        await _kit.CreateBucketAsync(bobsBucket, ApiSiloFixture.Bob);
        await _kit.PutAsync(bobsBucket, "x.manifest.xml", Encoding.UTF8.GetBytes(manifest), ApiSiloFixture.Bob);
        var unknownImage = "ami-0123456789abcdef0";

        async Task<string> CodeOf(Func<Task> act) => (await act.Should().ThrowAsync<AmazonEC2Exception>()).Which.ErrorCode;

        (await CodeOf(() => alice.RegisterImageAsync(new RegisterImageRequest { Name = "no location" }))).Should().Be("MissingParameter");
        (await CodeOf(() => alice.RegisterImageAsync(new RegisterImageRequest { ImageLocation = image.Location }))).Should().Be("MissingParameter");
        (await CodeOf(() => alice.RegisterImageAsync(new RegisterImageRequest { ImageLocation = "no-slash", Name = "abc" }))).Should().Be("InvalidParameterValue");
        (await CodeOf(() => alice.RegisterImageAsync(new RegisterImageRequest { ImageLocation = $"{bucket}/missing.manifest.xml", Name = "abc" }))).Should().Be("InvalidManifest");
        (await CodeOf(() => alice.RegisterImageAsync(new RegisterImageRequest { ImageLocation = $"{bucket}/tampered.manifest.xml", Name = "abc" }))).Should().Be("InvalidManifest");
        (await CodeOf(() => alice.RegisterImageAsync(new RegisterImageRequest { ImageLocation = $"{bobsBucket}/x.manifest.xml", Name = "abc" }))).Should().Be("InvalidManifest");
        (await CodeOf(() => alice.RegisterImageAsync(new RegisterImageRequest { ImageLocation = image.Location, Name = "bad*name" }))).Should().Be("InvalidAMIName.Malformed");
        (await CodeOf(() => alice.RegisterImageAsync(new RegisterImageRequest { ImageLocation = image.Location, Name = image.Name }))).Should().Be("InvalidAMIName.Duplicate");
        (await CodeOf(() => alice.RegisterImageAsync(new RegisterImageRequest { ImageLocation = image.Location, Name = "abc", Architecture = "sparc" }))).Should().Be("InvalidParameterValue");
        (await CodeOf(() => alice.RegisterImageAsync(new RegisterImageRequest { ImageLocation = image.Location, Name = "abc", DryRun = true }))).Should().Be("DryRunOperation");

        (await CodeOf(() => alice.DeregisterImageAsync(new DeregisterImageRequest { ImageId = "ami-xyz" }))).Should().Be("InvalidAMIID.Malformed");
        (await CodeOf(() => alice.DeregisterImageAsync(new DeregisterImageRequest { ImageId = unknownImage }))).Should().Be("InvalidAMIID.NotFound");
        (await CodeOf(() => bob.DeregisterImageAsync(new DeregisterImageRequest { ImageId = image.Id }))).Should().Be("InvalidAMIID.NotFound");
        (await CodeOf(() => alice.DeregisterImageAsync(new DeregisterImageRequest { ImageId = image.Id, DryRun = true }))).Should().Be("DryRunOperation");

        (await CodeOf(() => alice.DescribeImageAttributeAsync(new DescribeImageAttributeRequest { ImageId = image.Id, Attribute = "bootMode" }))).Should().Be("InvalidParameterValue");
        (await CodeOf(() => alice.DescribeImageAttributeAsync(new DescribeImageAttributeRequest { ImageId = unknownImage, Attribute = "description" }))).Should().Be("InvalidAMIID.NotFound");
        (await CodeOf(() => alice.ResetImageAttributeAsync(new ResetImageAttributeRequest { ImageId = image.Id, Attribute = "description" }))).Should().Be("InvalidParameterValue");

        (await CodeOf(() => bob.ModifyImageAttributeAsync(Share(image.Id, ApiSiloFixture.Bob)))).Should().Be("InvalidAMIID.NotFound");
        (await CodeOf(() => alice.ModifyImageAttributeAsync(Share(image.Id, "12345")))).Should().Be("InvalidAMIAttributeItemValue");
        (await CodeOf(() => alice.ModifyImageAttributeAsync(new ModifyImageAttributeRequest { ImageId = image.Id, Attribute = "launchPermission", OperationType = OperationType.Add, UserGroups = ["everyone"] }))).Should().Be("InvalidAMIAttributeItemValue");
        (await CodeOf(() => alice.ModifyImageAttributeAsync(new ModifyImageAttributeRequest { ImageId = image.Id, UserIds = [ApiSiloFixture.Bob] }))).Should().Be("MissingParameter");
        (await CodeOf(() => alice.ModifyImageAttributeAsync(new ModifyImageAttributeRequest { ImageId = image.Id }))).Should().Be("MissingParameter");
        (await CodeOf(() => alice.ModifyImageAttributeAsync(new ModifyImageAttributeRequest { ImageId = image.Id, Attribute = "kernel" }))).Should().Be("InvalidParameterValue");

        await alice.ModifyImageAttributeAsync(Share(image.Id, ApiSiloFixture.Bob));
        (await CodeOf(() => bob.ModifyImageAttributeAsync(Share(image.Id, ApiSiloFixture.Bob)))).Should().Be("AuthFailure");
        (await CodeOf(() => bob.ModifyImageAttributeAsync(Share(image.Id, ApiSiloFixture.Bob, dryRun: true)))).Should().Be("UnauthorizedOperation");
        (await CodeOf(() => bob.DeregisterImageAsync(new DeregisterImageRequest { ImageId = image.Id }))).Should().Be("AuthFailure");

        await alice.DeregisterImageAsync(new DeregisterImageRequest { ImageId = image.Id });
        (await CodeOf(() => alice.RunInstancesAsync(new Amazon.EC2.Model.RunInstancesRequest { ImageId = image.Id, MinCount = 1, MaxCount = 1 }))).Should().Be("InvalidAMIID.Unavailable");
        (await CodeOf(() => alice.DeregisterImageAsync(new DeregisterImageRequest { ImageId = image.Id }))).Should().Be("InvalidAMIID.Unavailable");
        silo.Log.Errors.Should().BeEmpty();
    }

    private static ModifyImageAttributeRequest Share(string imageId, string userId, bool dryRun = false) => new()
    {
        ImageId = imageId,
        LaunchPermission = new LaunchPermissionModifications { Add = [new LaunchPermission { UserId = userId }] },
        DryRun = dryRun,
    };

    private async Task<(string Id, string Location, string Name)> RegisteredAsync(AmazonEC2Client ec2)
    {
        var instance = (await Ec2Scenario.RunAsync(ec2)).Single().InstanceId;
        await _kit.CustomizeAsync(instance, Password, files: [(@"C:\app\config.ini", "[app]\n")]);
        var location = await _kit.BundleAsync(instance, Ec2Scenario.UniqueName("bundles"), "shared");
        var name = Ec2Scenario.UniqueName("image");
        var registered = await ec2.RegisterImageAsync(new RegisterImageRequest { ImageLocation = location, Name = name });
        return (registered.ImageId, location, name);
    }
}
