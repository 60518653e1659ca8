using System.Diagnostics;
using Amazon.EC2;
using Amazon.EC2.Model;
using Amazon.S3.Model;
using OrleansEc2.Api.Tests.Infrastructure;

namespace OrleansEc2.Api.Tests.Migrations;

using CopyImageRequest = Amazon.EC2.Model.CopyImageRequest;
using RegisterImageRequest = Amazon.EC2.Model.RegisterImageRequest;
using RunInstancesRequest = Amazon.EC2.Model.RunInstancesRequest;

/// <summary>
/// A CopyImage's image through the AWS SDK while it is not yet available: listed pending to its owner only, not
/// launchable nor changeable, cancelled by DeregisterImage; and, once failed, deregistered to free its name. On the slow
/// silo, where a part's copy waits for a minute of simulated time.
/// </summary>
[Collection(SlowMigrationSiloCollection.Name)]
public sealed class PendingCopyActionTests(SlowMigrationSiloFixture silo)
{
    private const string Alice = ApiSiloFixture.Alice;
    private const string UsEast1 = ApiSiloFixture.UsEast1;
    private const string EuWest1 = "eu-west-1";

    private static readonly string CopyBucket = $"amis-for-{Alice}-in-{EuWest1}";

    [Fact]
    public async Task PendingCopy_IsListedToItsOwner_RunInstancesAnswersUnavailable_AndDeregisterImageCancelsIt()
    {
        var source = await RegisteredImageAsync(seed: 64);
        using var eu = silo.Ec2(region: EuWest1);
        using var bobs = silo.Ec2(ApiSiloFixture.BobKey, ApiSiloFixture.BobSecret, EuWest1);
        using var s3 = silo.S3(region: EuWest1);
        var name = Ec2Scenario.UniqueName("copy");
        var copy = await eu.CopyImageAsync(new CopyImageRequest { SourceRegion = UsEast1, SourceImageId = source.ImageId, Name = name, Description = "never finished" });
        var migrationId = CopyImageIds.MigrationIdOf(copy.ImageId);

        var own = (await eu.DescribeImagesAsync(new DescribeImagesRequest { Owners = ["self"] })).Images ?? [];
        var bobSees = (await bobs.DescribeImagesAsync(new DescribeImagesRequest { Owners = [Alice] })).Images ?? [];
        var run = () => eu.RunInstancesAsync(new RunInstancesRequest { ImageId = copy.ImageId, MinCount = 1, MaxCount = 1, InstanceType = "m1.small" });
        var dryRun = () => eu.RunInstancesAsync(new RunInstancesRequest { ImageId = copy.ImageId, MinCount = 1, MaxCount = 1, InstanceType = "m1.small", DryRun = true });
        var modify = () => eu.ModifyImageAttributeAsync(new ModifyImageAttributeRequest { ImageId = copy.ImageId, Description = "changed" });
        var refusedRun = (await run.Should().ThrowAsync<AmazonEC2Exception>()).Which;
        var refusedDryRun = (await dryRun.Should().ThrowAsync<AmazonEC2Exception>()).Which;
        var refusedChange = (await modify.Should().ThrowAsync<AmazonEC2Exception>()).Which;
        await UntilAsync(migrationId, d => d.State == MigrationState.CopyingParts);
        silo.Time.Advance(SlowMigrationSiloFixture.PartCopyDelay);
        var started = await UntilAsync(migrationId, d => d.PartsCopied == 1);
        var copiedSoFar = await KeysAsync(s3, copy.ImageId + "/");

        await eu.DeregisterImageAsync(new DeregisterImageRequest { ImageId = copy.ImageId });
        var afterwards = (await eu.DescribeImagesAsync(new DescribeImagesRequest { Owners = ["self"] })).Images ?? [];
        silo.Time.Advance(SlowMigrationSiloFixture.PartCopyDelay);
        var cancelled = await UntilAsync(migrationId, d => d.State.IsFinished());
        var sameName = await eu.CopyImageAsync(new CopyImageRequest { SourceRegion = UsEast1, SourceImageId = source.ImageId, Name = name });

        var pending = own.Single(i => i.ImageId == copy.ImageId);
        pending.State.Value.Should().Be("pending");
        pending.Name.Should().Be(name);
        pending.Description.Should().Be("never finished");
        pending.OwnerId.Should().Be(Alice);
        pending.StateReason.Should().BeNull();
        bobSees.Should().NotContain(i => i.ImageId == copy.ImageId, "a pending copy is its owner's alone");
        refusedRun.ErrorCode.Should().Be(Ec2ErrorCodes.InvalidAmiIdUnavailable);
        refusedRun.Message.Should().Be($"AMI '{copy.ImageId}' is pending, and cannot be run: its copy is not finished");
        refusedDryRun.ErrorCode.Should().Be(Ec2ErrorCodes.InvalidAmiIdUnavailable);
        refusedChange.ErrorCode.Should().Be(Ec2ErrorCodes.InvalidAmiIdUnavailable);
        refusedChange.Message.Should().Be($"The AMI ID '{copy.ImageId}' is currently pending and may not be used for this operation");
        started.PartCount.Should().BeGreaterThan(2, "the copy is caught with parts still to copy");
        copiedSoFar.Should().HaveCount(1).And.OnlyContain(k => k.StartsWith($"{copy.ImageId}/{source.Prefix}.part.", StringComparison.Ordinal));
        afterwards.Should().NotContain(i => i.ImageId == copy.ImageId);
        cancelled.State.Should().Be(MigrationState.Failed);
        cancelled.PartsCopied.Should().Be(1);
        cancelled.Error.Should().Be(new MigrationError(
            Ec2ErrorCodes.Cancelled,
            $"The image {copy.ImageId} was deregistered while its copy was pending: the copy stopped after 1 of {started.PartCount} part(s)."));
        (await KeysAsync(s3, copy.ImageId + "/")).Should().BeEmpty("a cancelled copy leaves nothing under its folder");
        sameName.ImageId.Should().NotBe(copy.ImageId, "the deregistered copy's name is free again");
        (await UntilNotPendingAsync(eu, sameName.ImageId)).State.Value.Should().Be("available");
    }

    [Fact]
    public async Task FailedCopy_IsListedFailedWithItsReason_CannotRun_AndDeregisterImageFreesItsName()
    {
        var source = await RegisteredImageAsync(seed: 65);
        using (var s3 = silo.S3())
        {
            await s3.DeleteObjectAsync(source.Bucket, source.Bundle.Parts[^1].FileName);
        }

        using var eu = silo.Ec2(region: EuWest1);
        var name = Ec2Scenario.UniqueName("copy");
        var copy = await eu.CopyImageAsync(new CopyImageRequest { SourceRegion = UsEast1, SourceImageId = source.ImageId, Name = name });
        var failed = await UntilNotPendingAsync(eu, copy.ImageId);

        // The image is failed during the migration's tidy-up, which the migration shows as finished once it is done.
        var migration = await UntilAsync(CopyImageIds.MigrationIdOf(copy.ImageId), d => d.State.IsFinished());
        var run = () => eu.RunInstancesAsync(new RunInstancesRequest { ImageId = copy.ImageId, MinCount = 1, MaxCount = 1, InstanceType = "m1.small" });
        var sameNameWhileFailed = () => eu.CopyImageAsync(new CopyImageRequest { SourceRegion = UsEast1, SourceImageId = source.ImageId, Name = name });
        var refusedRun = (await run.Should().ThrowAsync<AmazonEC2Exception>()).Which;
        var refusedName = (await sameNameWhileFailed.Should().ThrowAsync<AmazonEC2Exception>()).Which;

        await eu.DeregisterImageAsync(new DeregisterImageRequest { ImageId = copy.ImageId });
        var afterwards = (await eu.DescribeImagesAsync(new DescribeImagesRequest { Owners = ["self"] })).Images ?? [];
        var again = await eu.CopyImageAsync(new CopyImageRequest { SourceRegion = UsEast1, SourceImageId = source.ImageId, Name = name });
        var describeAgain = await eu.DescribeImagesAsync(new DescribeImagesRequest { ImageIds = [again.ImageId] });

        failed.State.Value.Should().Be("failed");
        migration.State.Should().Be(MigrationState.Failed);
        failed.StateReason.Code.Should().Be(migration.Error!.Code);
        failed.StateReason.Message.Should().Be($"{migration.Error!.Code}: {migration.Error.Message}");
        migration.Error.Code.Should().Be(Ec2ErrorCodes.NoSuchKey);
        refusedRun.ErrorCode.Should().Be(Ec2ErrorCodes.InvalidAmiIdUnavailable);
        refusedRun.Message.Should().Be($"AMI '{copy.ImageId}' is failed, and cannot be run: {failed.StateReason.Message}");
        refusedName.ErrorCode.Should().Be(Ec2ErrorCodes.InvalidAmiNameDuplicate);
        afterwards.Should().NotContain(i => i.ImageId == copy.ImageId);
        describeAgain.Images.Single().Should().Match<Image>(i => i.Name == name && i.State.Value == "pending");
    }

    private sealed record Registered(string ImageId, string Bucket, string Prefix, OrleansEc2.Bundling.BundleResult Bundle);

    /// <summary>A registered image of a bundle of small parts in us-east-1, so that a copy of it has many parts.</summary>
    private async Task<Registered> RegisteredImageAsync(int seed)
    {
        var bundle = await ApiBundles.UploadAsync(silo, UsEast1, seed, partSize: 64 * 1024);
        using var us = silo.Ec2();
        var registered = await us.RegisterImageAsync(new RegisterImageRequest
        {
            ImageLocation = $"{bundle.Bucket}/{bundle.ManifestKey}",
            Name = Ec2Scenario.UniqueName("original"),
        });
        return new Registered(registered.ImageId, bundle.Bucket, bundle.ManifestKey[..^".manifest.xml".Length], bundle.Bundle);
    }

    private static async Task<List<string>> KeysAsync(Amazon.S3.AmazonS3Client s3, string prefix)
        => [.. ((await s3.ListObjectsV2Async(new ListObjectsV2Request { BucketName = CopyBucket, Prefix = prefix })).S3Objects ?? []).Select(o => o.Key)];

    /// <summary>Polls the copy's migration (as its owner) until <paramref name="condition"/> holds; the clock is moved by the test.</summary>
    private async Task<MigrationDescription> UntilAsync(string migrationId, Func<MigrationDescription, bool> condition)
    {
        var migration = silo.Grains.GetGrain<IMigrationGrain>(migrationId);
        var watch = Stopwatch.StartNew();
        while (true)
        {
            var described = await migration.DescribeAsync(Alice);
            if (condition(described))
            {
                return described;
            }

            watch.Elapsed.Should().BeLessThan(TimeSpan.FromSeconds(30), $"migration {migrationId} is still {described.Progress}");
            await Task.Delay(5);
        }
    }

    /// <summary>Moves the simulated clock a part's copy at a time until the image is no longer pending.</summary>
    private async Task<Image> UntilNotPendingAsync(AmazonEC2Client ec2, string imageId)
    {
        var watch = Stopwatch.StartNew();
        while (true)
        {
            var image = (await ec2.DescribeImagesAsync(new DescribeImagesRequest { ImageIds = [imageId] })).Images.Single();
            if (image.State.Value != "pending")
            {
                return image;
            }

            watch.Elapsed.Should().BeLessThan(TimeSpan.FromSeconds(60), $"the copy {imageId} should not stay pending");
            silo.Time.Advance(SlowMigrationSiloFixture.PartCopyDelay);
            await Task.Delay(5);
        }
    }
}
