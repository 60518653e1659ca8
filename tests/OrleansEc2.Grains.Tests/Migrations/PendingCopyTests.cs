using System.Diagnostics;
using OrleansEc2.Grains.Tests.Images;

namespace OrleansEc2.Grains.Tests.Migrations;

/// <summary>
/// A CopyImage's image on its own image grain while the copy runs: pending (its owner's to describe, nobody's to launch
/// or change), then available, or failed; deregistered while pending, which cancels the copy; and back from storage
/// after a deactivation. On the slow cluster, where a part takes a minute of simulated time.
/// </summary>
[Collection(SlowMigrationClusterCollection.Name)]
public sealed class PendingCopyTests(SlowMigrationClusterFixture fixture)
{
    private const string Alice = ClusterFixture.Alice;
    private const string UsEast1 = ClusterFixture.UsEast1;
    private const string EuWest1 = ClusterFixture.EuWest1;

    private static readonly Caller AliceUs = new(Alice, UsEast1);
    private static readonly Caller AliceEu = new(Alice, EuWest1);
    private static readonly Caller BobEu = new(ClusterFixture.Bob, EuWest1);

    private IGrainFactory Grains => fixture.Grains;

    private ImageTestKit Kit => new(fixture);

    [Fact]
    public async Task PendingCopy_IsItsOwnersToDescribe_ButNobodysToLaunchOrChange_UntilItIsAvailable()
    {
        var source = await Kit.RegisterAsync(await fixture.SharedBundleAsync());
        var sourceAttributes = await Image(source.ImageId).DescribeAttributesAsync(AliceUs, ImageAttributeName.BlockDeviceMapping);
        var name = Scenario.Unique("copy");
        var (imageId, migrationId) = CopyImageIds.For(AliceEu, Scenario.Unique("token"));
        var request = new CopyImageRequest(AliceEu, UsEast1, source.ImageId, name, "pending for a while", imageId);
        var started = await Migration(migrationId).StartCopyImageAsync(request);

        var pending = await Image(imageId).DescribeAsync(AliceEu);
        var attributes = await Image(imageId).DescribeAttributesAsync(AliceEu, ImageAttributeName.LaunchPermission);
        var again = await Migration(migrationId).StartCopyImageAsync(request);
        var byBob = () => Image(imageId).DescribeAsync(BobEu);
        var launch = () => Kit.RunAsync(imageId, region: EuWest1);
        var describe = () => Image(imageId).ModifyDescriptionAsync(AliceEu, "changed");
        var share = () => Image(imageId).ModifyLaunchPermissionAsync(AliceEu, new LaunchPermissionModification([ClusterFixture.Bob], false, [], false));

        pending.State.Should().Be(ImageState.Pending);
        pending.Name.Should().Be(name);
        pending.Description.Should().Be("pending for a while");
        pending.OwnerId.Should().Be(Alice);
        pending.Region.Should().Be(EuWest1);
        pending.Platform.Should().Be(source.Platform);
        pending.Architecture.Should().Be(source.Architecture);
        pending.ImageLocation.Should().Be(started.DestinationManifestLocation);
        pending.CreationDate.Should().Be(started.StartTime);
        (await IndexedAsync(AliceEu, imageId)).State.Should().Be(ImageState.Pending);
        attributes.Description.Should().Be("pending for a while");
        attributes.KernelId.Should().Be(sourceAttributes.KernelId);
        attributes.RamdiskId.Should().Be(sourceAttributes.RamdiskId);
        attributes.BlockDeviceMappings.Should().Equal(sourceAttributes.BlockDeviceMappings).And.NotBeEmpty();
        attributes.LaunchPermissions.Should().BeEquivalentTo(new ImageLaunchPermissions([], false));
        again.MigrationId.Should().Be(migrationId, "the same client token answers the same copy while it is pending");
        again.ImageId.Should().Be(imageId);
        (await byBob.Should().ThrowAsync<Ec2Exception>()).Which.Code.Should().Be(Ec2ErrorCodes.InvalidAmiIdNotFound);
        var refusedLaunch = (await launch.Should().ThrowAsync<Ec2Exception>()).Which;
        refusedLaunch.Code.Should().Be(Ec2ErrorCodes.InvalidAmiIdUnavailable);
        refusedLaunch.Message.Should().Be($"AMI '{imageId}' is pending, and cannot be run: its copy is not finished");
        foreach (var change in new Func<Task>[] { describe, share })
        {
            var refused = (await change.Should().ThrowAsync<Ec2Exception>()).Which;
            refused.Code.Should().Be(Ec2ErrorCodes.InvalidAmiIdUnavailable);
            refused.Message.Should().Be($"The AMI ID '{imageId}' is currently pending and may not be used for this operation");
        }

        (await fixture.CompleteAsync(migrationId)).State.Should().Be(MigrationState.Complete);
        var available = await Image(imageId).DescribeAsync(AliceEu);
        var lateFailure = await Image(imageId).FailPendingAsync("too late");
        await Image(imageId).WithdrawPendingAsync();

        available.Should().BeEquivalentTo(pending with { State = ImageState.Available });
        lateFailure.Should().BeEquivalentTo(available, "a copy that is no longer pending cannot fail");
        (await IndexedAsync(AliceEu, imageId)).State.Should().Be(ImageState.Available, "only a pending copy is withdrawn");
        (await Image(imageId).ModifyDescriptionAsync(AliceEu, "changed")).Description.Should().Be("changed");
    }

    [Fact]
    public async Task DeregisterPendingCopy_StopsTheCopy_RemovesWhatItCopied_AndFreesTheName()
    {
        var source = await Kit.RegisterAsync(await fixture.SharedBundleAsync());
        var name = Scenario.Unique("copy");
        var (imageId, migrationId) = CopyImageIds.For(AliceEu, null);
        var started = await Migration(migrationId).StartCopyImageAsync(new CopyImageRequest(AliceEu, UsEast1, source.ImageId, name, null, imageId));
        started.PartCount.Should().BeGreaterThan(1, "the copy is caught between two parts");
        var destination = Grains.GetGrain<IBucketGrain>(started.DestinationBucket);
        await UntilAsync(migrationId, d => d.State == MigrationState.CopyingParts);
        fixture.Time.Advance(SlowMigrationClusterFixture.PartCopyDelay);
        await UntilAsync(migrationId, d => d.PartsCopied == 1);
        var copiedSoFar = await KeysAsync(destination, imageId + "/");

        await Image(imageId).DeregisterAsync(AliceEu);
        var deregistered = await Image(imageId).DescribeAsync(AliceEu);
        fixture.Time.Advance(SlowMigrationClusterFixture.PartCopyDelay);
        var cancelled = await UntilAsync(migrationId, d => d.State.IsFinished());
        var again = CopyImageIds.For(AliceEu, null);
        await Migration(again.MigrationId).StartCopyImageAsync(new CopyImageRequest(AliceEu, UsEast1, source.ImageId, name, null, again.ImageId));

        copiedSoFar.Should().Equal($"{imageId}/shared.part.00");
        deregistered.State.Should().Be(ImageState.Deregistered);
        cancelled.State.Should().Be(MigrationState.Failed);
        cancelled.PartsCopied.Should().Be(1, "no part is copied once the image is deregistered");
        cancelled.Error.Should().Be(new MigrationError(
            Ec2ErrorCodes.Cancelled,
            $"The image {imageId} was deregistered while its copy was pending: the copy stopped after 1 of {started.PartCount} part(s)."));
        (await KeysAsync(destination, imageId + "/")).Should().BeEmpty("a cancelled copy leaves nothing behind");
        (await Index(AliceEu).DescribeImagesAsync(new ImageQuery([], ["self"], [], []))).Should().NotContain(i => i.ImageId == imageId);
        (await Grains.GetGrain<IMigrationRegistryGrain>(Alice).GetUnfinishedAsync()).Should().NotContain(migrationId);
        (await Image(again.ImageId).DescribeAsync(AliceEu)).Should().Match<ImageDescription>(i => i.Name == name && i.State == ImageState.Pending);
        (await fixture.CompleteAsync(again.MigrationId)).State.Should().Be(MigrationState.Complete);
        (await Image(again.ImageId).DescribeAsync(AliceEu)).State.Should().Be(ImageState.Available);
    }

    [Fact]
    public async Task FailedCopy_CannotBeLaunched_CanBeDeregistered_AndThenItsNameIsFree()
    {
        var (location, lastPart) = await CopyOfSharedBundleAsync();
        var source = await Kit.RegisterAsync(location);
        await Grains.GetGrain<IBucketGrain>(location[..location.IndexOf('/')]).DeleteObjectAsync(Alice, lastPart);
        var name = Scenario.Unique("copy");
        var (imageId, migrationId) = CopyImageIds.For(AliceEu, null);
        var started = await Migration(migrationId).StartCopyImageAsync(new CopyImageRequest(AliceEu, UsEast1, source.ImageId, name, "doomed", imageId));
        var failed = await fixture.CompleteAsync(migrationId);

        var image = await Image(imageId).DescribeAsync(AliceEu);
        var indexed = await IndexedAsync(AliceEu, imageId);
        var attributes = await Image(imageId).DescribeAttributesAsync(AliceEu, ImageAttributeName.Description);
        var launch = () => Kit.RunAsync(imageId, region: EuWest1);
        var sameName = CopyImageIds.For(AliceEu, null);
        var whileFailed = () => Migration(sameName.MigrationId).StartCopyImageAsync(new CopyImageRequest(AliceEu, UsEast1, source.ImageId, name, null, sameName.ImageId));

        failed.State.Should().Be(MigrationState.Failed);
        failed.Error!.Code.Should().Be(Ec2ErrorCodes.NoSuchKey);
        failed.Error.Message.Should().Contain(lastPart);
        image.State.Should().Be(ImageState.Failed);
        image.StateReason.Should().Be($"{failed.Error.Code}: {failed.Error.Message}");
        indexed.Should().BeEquivalentTo(image, "DescribeImages shows the failed copy as its image grain does");
        attributes.Description.Should().Be("doomed");
        var refusedLaunch = (await launch.Should().ThrowAsync<Ec2Exception>()).Which;
        refusedLaunch.Code.Should().Be(Ec2ErrorCodes.InvalidAmiIdUnavailable);
        refusedLaunch.Message.Should().Be($"AMI '{imageId}' is failed, and cannot be run: {image.StateReason}");
        (await whileFailed.Should().ThrowAsync<Ec2Exception>()).Which.Code.Should().Be(Ec2ErrorCodes.InvalidAmiNameDuplicate, "a failed copy holds its name until it is deregistered");
        (await KeysAsync(Grains.GetGrain<IBucketGrain>(started.DestinationBucket), imageId + "/")).Should().BeEmpty("a failed copy's parts are of no use");

        await Image(imageId).DeregisterAsync(AliceEu);
        var good = await Kit.RegisterAsync(await fixture.SharedBundleAsync());
        var reused = CopyImageIds.For(AliceEu, null);
        await Migration(reused.MigrationId).StartCopyImageAsync(new CopyImageRequest(AliceEu, UsEast1, good.ImageId, name, null, reused.ImageId));

        (await Image(imageId).DescribeAsync(AliceEu)).State.Should().Be(ImageState.Deregistered);
        (await Index(AliceEu).DescribeImagesAsync(new ImageQuery([], ["self"], [], []))).Should().NotContain(i => i.ImageId == imageId);
        (await Image(reused.ImageId).DescribeAsync(AliceEu)).Should().Match<ImageDescription>(i => i.Name == name && i.State == ImageState.Pending);
        (await fixture.CompleteAsync(reused.MigrationId)).State.Should().Be(MigrationState.Complete);
        (await Image(reused.ImageId).DescribeAsync(AliceEu)).State.Should().Be(ImageState.Available);
    }

    [Fact]
    public async Task PendingCopy_AfterItsImageAndMigrationAreDeactivated_IsStillPending_ThenCompletes()
    {
        var source = await Kit.RegisterAsync(await fixture.SharedBundleAsync());
        var (imageId, migrationId) = CopyImageIds.For(AliceEu, null);
        await Migration(migrationId).StartCopyImageAsync(new CopyImageRequest(AliceEu, UsEast1, source.ImageId, Scenario.Unique("copy"), "survives", imageId));
        await UntilAsync(migrationId, d => d.State == MigrationState.CopyingParts);
        fixture.Time.Advance(SlowMigrationClusterFixture.PartCopyDelay);
        await UntilAsync(migrationId, d => d.PartsCopied == 1);
        var before = await Image(imageId).DescribeAsync(AliceEu);
        var attributesBefore = await Image(imageId).DescribeAttributesAsync(AliceEu, ImageAttributeName.BlockDeviceMapping);

        await fixture.Cluster.DeactivateAsync(Image(imageId));
        await fixture.Cluster.DeactivateAsync(Migration(migrationId));
        var after = await Image(imageId).DescribeAsync(AliceEu);
        var attributesAfter = await Image(imageId).DescribeAttributesAsync(AliceEu, ImageAttributeName.BlockDeviceMapping);
        var launch = () => Kit.RunAsync(imageId, region: EuWest1);
        (await launch.Should().ThrowAsync<Ec2Exception>()).Which.Code.Should().Be(Ec2ErrorCodes.InvalidAmiIdUnavailable);
        var copied = await fixture.CompleteAsync(migrationId);

        before.State.Should().Be(ImageState.Pending);
        after.Should().BeEquivalentTo(before);
        attributesAfter.Should().BeEquivalentTo(attributesBefore);
        copied.State.Should().Be(MigrationState.Complete);
        (await Image(imageId).DescribeAsync(AliceEu)).Should().BeEquivalentTo(before with { State = ImageState.Available });
    }

    [Fact]
    public async Task CopyAcceptedBeforeImagesWereReserved_ResumesOntoItsImageGrain_AndCompletesThere()
    {
        var source = await Kit.RegisterAsync(await fixture.SharedBundleAsync());
        var (imageId, migrationId) = CopyImageIds.For(AliceEu, null);
        await Migration(migrationId).StartCopyImageAsync(new CopyImageRequest(AliceEu, UsEast1, source.ImageId, Scenario.Unique("copy"), "from before", imageId));
        await UntilAsync(migrationId, d => d.State == MigrationState.CopyingParts);
        var pending = await Image(imageId).DescribeAsync(AliceEu);

        // As the migration left it before images were reserved on their grain: pending in the index only.
        await Image(imageId).WithdrawPendingAsync();
        await Index(AliceEu).RegisterImageAsync(pending);
        await fixture.Cluster.DeactivateAsync(Migration(migrationId));
        var unknown = () => Image(imageId).DescribeAsync(AliceEu);
        (await unknown.Should().ThrowAsync<Ec2Exception>()).Which.Code.Should().Be(Ec2ErrorCodes.InvalidAmiIdNotFound);
        var copied = await fixture.CompleteAsync(migrationId);

        copied.State.Should().Be(MigrationState.Complete);
        var available = await Image(imageId).DescribeAsync(AliceEu);
        available.Should().BeEquivalentTo(pending with { State = ImageState.Available });
        (await IndexedAsync(AliceEu, imageId)).Should().BeEquivalentTo(available);
        (await Kit.RunAsync(imageId, region: EuWest1)).Instances.Single().ImageId.Should().Be(imageId);
    }

    private IImageGrain Image(string imageId) => Grains.GetGrain<IImageGrain>(imageId);

    private IMigrationGrain Migration(string migrationId) => Grains.GetGrain<IMigrationGrain>(migrationId);

    private IAccountRegionGrain Index(Caller caller) => Scenario.Index(Grains, caller.AccountId, caller.Region);

    private async Task<ImageDescription> IndexedAsync(Caller caller, string imageId)
        => (await Index(caller).DescribeImagesAsync(new ImageQuery([imageId], [], [], []))).Single();

    private static async Task<List<string>> KeysAsync(IBucketGrain bucket, string prefix)
        => [.. (await bucket.ListObjectsAsync(Alice, new ListObjectsQuery(prefix, null, 1000, null))).Objects.Select(o => o.Key)];

    /// <summary>The shared bundle's objects under the same keys in a fresh bucket (the same blobs); its manifest's location and last part's key.</summary>
    private async Task<(string Location, string LastPart)> CopyOfSharedBundleAsync()
    {
        var shared = await fixture.SharedBundleAsync();
        var from = Grains.GetGrain<IBucketGrain>(shared[..shared.IndexOf('/')]);
        var bucket = Scenario.Unique("bundles");
        var to = await Kit.BucketAsync(bucket);
        var objects = (await from.ListObjectsAsync(Alice, new ListObjectsQuery("shared.", null, 1000, null))).Objects;
        foreach (var o in objects)
        {
            var info = await from.GetObjectAsync(Alice, o.Key);
            await to.PutObjectAsync(Alice, new PutObjectRequest(o.Key, info.Blob, info.ContentType, info.UserMetadata, null));
        }

        return ($"{bucket}/{shared[(shared.IndexOf('/') + 1)..]}", objects.Select(o => o.Key).Where(k => k.Contains(".part.", StringComparison.Ordinal)).Max(StringComparer.Ordinal)!);
    }

    private async Task<MigrationDescription> UntilAsync(string migrationId, Func<MigrationDescription, bool> condition)
    {
        var watch = Stopwatch.StartNew();
        while (true)
        {
            var described = await Migration(migrationId).DescribeAsync(Alice);
            if (condition(described))
            {
                return described;
            }

            if (watch.Elapsed > TimeSpan.FromSeconds(30))
            {
                throw new TimeoutException($"Migration {migrationId} is still {described.Progress}.");
            }

            await Task.Delay(5);
        }
    }
}
