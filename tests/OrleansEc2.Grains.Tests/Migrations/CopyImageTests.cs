using OrleansEc2.Grains.Tests.Images;

namespace OrleansEc2.Grains.Tests.Migrations;

/// <summary>
/// CopyImage as a migration and a pending image, on the slow cluster (a part takes a minute of simulated time), so that
/// the copy can be seen pending. Registered images stay in this collection's cluster, away from tests that expect only
/// the public AMIs.
/// </summary>
[Collection(SlowMigrationClusterCollection.Name)]
public sealed class CopyImageTests(SlowMigrationClusterFixture fixture)
{
    private const string Alice = ClusterFixture.Alice;
    private const string UsEast1 = ClusterFixture.UsEast1;
    private const string EuWest1 = ClusterFixture.EuWest1;

    private static readonly Caller AliceUs = new(Alice, UsEast1);
    private static readonly Caller AliceEu = new(Alice, EuWest1);

    private IGrainFactory Grains => fixture.Grains;

    private ImageTestKit Kit => new(fixture);

    [Fact]
    public async Task CopyImage_ToEuWest1_IsPendingUntilCopied_ThenAvailable_AndLaunchesThereWithTheSameDisk()
    {
        var note = "bundled in us-east-1, launched in eu-west-1\r\n";
        var instance = await Kit.CustomizedInstanceAsync(files: [(@"C:\app\copy-me.txt", note)]);
        var prefix = Scenario.Unique("winami");
        var source = await Kit.RegisterAsync(await Kit.BundleAsync(instance, Scenario.Unique("bundles"), prefix), description: "the original");
        var name = Scenario.Unique("copy");
        var (imageId, migrationId) = CopyImageIds.For(AliceEu, Scenario.Unique("token"));

        var started = await Grains.GetGrain<IMigrationGrain>(migrationId).StartCopyImageAsync(
            new CopyImageRequest(AliceEu, UsEast1, source.ImageId, name, "copied to Ireland", imageId));

        started.ImageId.Should().Be(imageId);
        started.DestinationBucket.Should().Be($"amis-for-{Alice}-in-{EuWest1}");
        started.DestinationManifestKey.Should().Be($"{imageId}/{prefix}.manifest.xml");
        var pending = await DescribeAsync(AliceEu, imageId);
        pending.State.Should().Be(ImageState.Pending);
        pending.Name.Should().Be(name);
        pending.ImageLocation.Should().Be(started.DestinationManifestLocation);

        var copied = await fixture.CompleteAsync(migrationId);

        copied.State.Should().Be(MigrationState.Complete);
        var available = await DescribeAsync(AliceEu, imageId);
        available.State.Should().Be(ImageState.Available);
        available.Region.Should().Be(EuWest1);
        available.Description.Should().Be("copied to Ireland");
        available.Platform.Should().Be(source.Platform);
        available.Architecture.Should().Be(source.Architecture);
        var inUs = (await Kit.RunAsync(source.ImageId)).Instances.Single();
        var inEu = (await Kit.RunAsync(imageId, region: EuWest1)).Instances.Single();
        inEu.Region.Should().Be(EuWest1);
        inEu.ComputerName.Should().NotBe(inUs.ComputerName);
        var usDisk = (await Grains.GetGrain<IImageGrain>(source.ImageId).DescribeLaunchCacheAsync(AliceUs)).Disk!;
        var euDisk = (await Grains.GetGrain<IImageGrain>(imageId).DescribeLaunchCacheAsync(AliceEu)).Disk!;
        euDisk.BlobHash.Should().Be(usDisk.BlobHash, "the copy unbundles in eu-west-1 to the very disk the original unbundles to in us-east-1");
        var file = await Grains.GetGrain<IInstanceGrain>(inEu.InstanceId).ReadFileAsync(Alice, @"C:\app\copy-me.txt");
        System.Text.Encoding.UTF8.GetString(file).Should().Be(note);
        (await Grains.GetGrain<IInstanceGrain>(inUs.InstanceId).ReadFileAsync(Alice, @"C:\app\copy-me.txt")).Should().Equal(file);
    }

    [Fact]
    public async Task Migrate_ThenRegisterInEuWest1_LaunchesTheDiskTheImageLaunchesInUsEast1()
    {
        var note = "migrated with ec2-migrate-image\r\n";
        var bucket = Scenario.Unique("bundles");
        var location = await Kit.BundleAsync(await Kit.CustomizedInstanceAsync(files: [(@"C:\app\migrated.txt", note)]), bucket, Scenario.Unique("winami"));
        var source = await Kit.RegisterAsync(location);
        var manifestKey = location[(bucket.Length + 1)..];
        var started = await MigrationRuns.StartAsync(Grains, await MigrationRuns.RequestAsync(Grains, Alice, bucket, manifestKey, Scenario.Unique("eu-bundles"), "EU"));
        var migrated = await fixture.CompleteAsync(started.MigrationId);

        // The migrated manifest, copied back into a us-east-1 bucket, is not registrable there: it is sealed for eu-west-1.
        var back = Scenario.Unique("back-in-us");
        await Kit.BucketAsync(back);
        await Kit.PutAsync(back, manifestKey, await Kit.GetAsync(migrated.DestinationBucket, migrated.DestinationManifestKey));
        var inUsAgain = () => Kit.RegisterAsync($"{back}/{manifestKey}", region: UsEast1);

        var registered = await Kit.RegisterAsync(migrated.DestinationManifestLocation, region: EuWest1);
        var inEu = (await Kit.RunAsync(registered.ImageId, region: EuWest1)).Instances.Single();
        var inUs = (await Kit.RunAsync(source.ImageId)).Instances.Single();

        registered.State.Should().Be(ImageState.Available);
        var refused = (await inUsAgain.Should().ThrowAsync<Ec2Exception>()).Which;
        refused.Code.Should().Be(Ec2ErrorCodes.InvalidManifest);
        refused.Message.Should().Contain("was bundled for eu-west-1");
        var usDisk = (await Grains.GetGrain<IImageGrain>(source.ImageId).DescribeLaunchCacheAsync(AliceUs)).Disk!;
        var euDisk = (await Grains.GetGrain<IImageGrain>(registered.ImageId).DescribeLaunchCacheAsync(AliceEu)).Disk!;
        euDisk.BlobHash.Should().Be(usDisk.BlobHash);
        var euFile = await Grains.GetGrain<IInstanceGrain>(inEu.InstanceId).ReadFileAsync(Alice, @"C:\app\migrated.txt");
        System.Text.Encoding.UTF8.GetString(euFile).Should().Be(note);
        (await Grains.GetGrain<IInstanceGrain>(inUs.InstanceId).ReadFileAsync(Alice, @"C:\app\migrated.txt")).Should().Equal(euFile);
    }

    [Fact]
    public async Task CopyImage_WithTheSameClientTokenAgain_AnswersTheSameImage_AndOtherArgumentsAreAMismatch()
    {
        var source = await Kit.RegisterAsync(await fixture.SharedBundleAsync());
        var token = Scenario.Unique("token");
        var name = Scenario.Unique("copy");
        var (imageId, migrationId) = CopyImageIds.For(AliceEu, token);
        var request = new CopyImageRequest(AliceEu, UsEast1, source.ImageId, name, null, imageId);

        var first = await Grains.GetGrain<IMigrationGrain>(migrationId).StartCopyImageAsync(request);
        var again = CopyImageIds.For(AliceEu, token);
        var second = await Grains.GetGrain<IMigrationGrain>(again.MigrationId).StartCopyImageAsync(request with { ImageId = again.ImageId });
        var other = () => Grains.GetGrain<IMigrationGrain>(migrationId).StartCopyImageAsync(request with { Name = Scenario.Unique("other") });

        again.Should().Be((imageId, migrationId));
        second.ImageId.Should().Be(first.ImageId);
        second.MigrationId.Should().Be(first.MigrationId);
        (await other.Should().ThrowAsync<Ec2Exception>()).Which.Code.Should().Be(Ec2ErrorCodes.IdempotentParameterMismatch);
        CopyImageIds.For(AliceUs, token).ImageId.Should().NotBe(imageId, "a token is the caller's in its region");
        (await fixture.CompleteAsync(migrationId)).State.Should().Be(MigrationState.Complete);
        (await DescribeAsync(AliceEu, imageId)).State.Should().Be(ImageState.Available);
    }

    [Fact]
    public async Task CopyImage_WhoseBundleLostAPart_FailsWithTheReasonInTheImagesStateReason()
    {
        var bucket = Scenario.Unique("bundles");
        var prefix = Scenario.Unique("winami");
        var source = await Kit.RegisterAsync(await Kit.BundleAsync(await Kit.CustomizedInstanceAsync(), bucket, prefix));
        await Grains.GetGrain<IBucketGrain>(bucket).DeleteObjectAsync(Alice, prefix + ".part.01");
        var (imageId, migrationId) = CopyImageIds.For(AliceEu, null);

        await Grains.GetGrain<IMigrationGrain>(migrationId).StartCopyImageAsync(new CopyImageRequest(AliceEu, UsEast1, source.ImageId, Scenario.Unique("copy"), null, imageId));
        var failed = await fixture.CompleteAsync(migrationId);

        failed.State.Should().Be(MigrationState.Failed);
        failed.Error!.Code.Should().Be(Ec2ErrorCodes.NoSuchKey);
        var image = await DescribeAsync(AliceEu, imageId);
        image.State.Should().Be(ImageState.Failed);
        image.StateReason.Should().StartWith("NoSuchKey: ").And.Contain(prefix + ".part.01");
    }

    [Fact]
    public async Task CopyImage_Refusals_HaveTheirCodes_AndLeaveNoImage()
    {
        var source = await Kit.RegisterAsync(await fixture.SharedBundleAsync());
        var publicImage = await Scenario.PublicImageAsync(Grains, Platform.Windows);
        var taken = await Kit.RegisterAsync(await fixture.SharedBundleAsync(), region: UsEast1);
        var euTaken = Scenario.Unique("taken");
        var (euTakenId, euTakenMigration) = CopyImageIds.For(AliceEu, null);
        await Grains.GetGrain<IMigrationGrain>(euTakenMigration).StartCopyImageAsync(new CopyImageRequest(AliceEu, UsEast1, taken.ImageId, euTaken, null, euTakenId));

        await RefusedAsync(AliceEu, "eu-central-1", source.ImageId, "copy", Ec2ErrorCodes.InvalidRegion);
        await RefusedAsync(AliceEu, UsEast1, "ami-nope", "copy", Ec2ErrorCodes.InvalidAmiIdMalformed);
        await RefusedAsync(AliceEu, UsEast1, Ec2Ids.NewImageId(), "copy", Ec2ErrorCodes.InvalidAmiIdNotFound);
        await RefusedAsync(new Caller(ClusterFixture.Bob, EuWest1), UsEast1, source.ImageId, "copy", Ec2ErrorCodes.InvalidAmiIdNotFound);
        await RefusedAsync(AliceEu, UsEast1, publicImage, "copy", Ec2ErrorCodes.UnsupportedOperation);
        await RefusedAsync(AliceEu, UsEast1, source.ImageId, "x", Ec2ErrorCodes.InvalidAmiNameMalformed);
        await RefusedAsync(AliceEu, UsEast1, source.ImageId, euTaken, Ec2ErrorCodes.InvalidAmiNameDuplicate);
        (await fixture.CompleteAsync(euTakenMigration)).State.Should().Be(MigrationState.Complete);
    }

    private async Task RefusedAsync(Caller caller, string sourceRegion, string sourceImageId, string name, string code)
    {
        var (imageId, migrationId) = CopyImageIds.For(caller, null);

        var act = () => Grains.GetGrain<IMigrationGrain>(migrationId).StartCopyImageAsync(new CopyImageRequest(caller, sourceRegion, sourceImageId, name, null, imageId));

        (await act.Should().ThrowAsync<Ec2Exception>()).Which.Code.Should().Be(code);
        (await Scenario.Index(Grains, caller.AccountId, caller.Region).DescribeImagesAsync(new ImageQuery([], ["self"], [], [])))
            .Should().NotContain(i => i.ImageId == imageId);
    }

    private async Task<ImageDescription> DescribeAsync(Caller caller, string imageId)
        => (await Scenario.Index(Grains, caller.AccountId, caller.Region).DescribeImagesAsync(new ImageQuery([imageId], [], [], []))).Single();
}
