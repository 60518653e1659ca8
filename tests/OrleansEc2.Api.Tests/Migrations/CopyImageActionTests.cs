using System.Diagnostics;
using Amazon.EC2;
using Amazon.EC2.Model;
using OrleansEc2.Api.Tests.Infrastructure;

namespace OrleansEc2.Api.Tests.Migrations;

using CopyImageRequest = Amazon.EC2.Model.CopyImageRequest;
using RegisterImageRequest = Amazon.EC2.Model.RegisterImageRequest;

/// <summary>
/// CopyImage through the AWS SDK for .NET, called in the destination region as the SDK calls it (its ServiceURL and
/// AuthenticationRegion), on the slow silo so that the copy can be seen pending until the simulated clock moves.
/// </summary>
[Collection(SlowMigrationSiloCollection.Name)]
public sealed class CopyImageActionTests(SlowMigrationSiloFixture silo)
{
    private const string UsEast1 = ApiSiloFixture.UsEast1;
    private const string EuWest1 = "eu-west-1";

    [Fact]
    public async Task CopyImage_IsPendingThenAvailable_AndRunsInEuWest1_AndTheSameClientTokenAnswersTheSameImage()
    {
        var source = await RegisteredImageAsync(seed: 61);
        using var eu = silo.Ec2(region: EuWest1);
        var token = Guid.NewGuid().ToString();
        var request = new CopyImageRequest
        {
            SourceRegion = UsEast1,
            SourceImageId = source.ImageId,
            Name = Ec2Scenario.UniqueName("copy"),
            Description = "copied from us-east-1",
            ClientToken = token,
        };

        var copy = await eu.CopyImageAsync(request);
        var pending = await DescribeAsync(eu, copy.ImageId);
        var available = await UntilNotPendingAsync(eu, copy.ImageId);
        var again = await eu.CopyImageAsync(request);
        var run = await eu.RunInstancesAsync(new Amazon.EC2.Model.RunInstancesRequest { ImageId = copy.ImageId, MinCount = 1, MaxCount = 1, InstanceType = "m1.small" });

        copy.ImageId.Should().MatchRegex("^ami-[0-9a-f]{17}$").And.NotBe(source.ImageId);
        pending.State.Value.Should().Be("pending");
        pending.ImageLocation.Should().Be($"amis-for-{ApiSiloFixture.Alice}-in-{EuWest1}/{copy.ImageId}/{source.ManifestKey}");
        available.State.Value.Should().Be("available");
        available.Name.Should().Be(request.Name);
        available.Description.Should().Be("copied from us-east-1");
        available.Platform.Should().Be(PlatformValues.Windows);
        again.ImageId.Should().Be(copy.ImageId);
        run.Reservation.Instances.Single().ImageId.Should().Be(copy.ImageId);
        run.Reservation.Instances.Single().Placement.AvailabilityZone.Should().StartWith(EuWest1);
        (await ApiBundles.UnbundleInRegionAsync(silo, $"amis-for-{ApiSiloFixture.Alice}-in-{EuWest1}", $"{copy.ImageId}/{source.ManifestKey}", EuWest1))
            .Should().Equal(source.Disk);
        using var us = silo.Ec2();
        var inUs = () => us.DescribeImagesAsync(new DescribeImagesRequest { ImageIds = [copy.ImageId] });
        (await inUs.Should().ThrowAsync<AmazonEC2Exception>()).Which.ErrorCode.Should().Be(Ec2ErrorCodes.InvalidAmiIdNotFound);
    }

    [Fact]
    public async Task CopyImage_OfABundleThatLostAPart_EndsFailed_WithTheReasonInStateReason()
    {
        var source = await RegisteredImageAsync(seed: 62);
        using (var s3 = silo.S3())
        {
            await s3.DeleteObjectAsync(source.Bucket, source.Bundle.Parts[1].FileName);
        }

        using var eu = silo.Ec2(region: EuWest1);

        var copy = await eu.CopyImageAsync(new CopyImageRequest { SourceRegion = UsEast1, SourceImageId = source.ImageId, Name = Ec2Scenario.UniqueName("copy") });
        var failed = await UntilNotPendingAsync(eu, copy.ImageId);

        failed.State.Value.Should().Be("failed");
        failed.StateReason.Code.Should().Be("NoSuchKey");
        failed.StateReason.Message.Should().StartWith("NoSuchKey: ").And.Contain(source.Bundle.Parts[1].FileName);
    }

    [Fact]
    public async Task CopyImage_Refusals_AnswerEc2Errors()
    {
        var source = await RegisteredImageAsync(seed: 63, partSize: 512 * 1024);
        using var eu = silo.Ec2(region: EuWest1);
        CopyImageRequest Request() => new() { SourceRegion = UsEast1, SourceImageId = source.ImageId, Name = Ec2Scenario.UniqueName("copy") };

        await ErrorAsync(() => eu.CopyImageAsync(new CopyImageRequest { SourceImageId = source.ImageId, Name = "copy" }), Ec2ErrorCodes.MissingParameter);
        var unknownRegion = Request();
        unknownRegion.SourceRegion = "eu-central-1";
        await ErrorAsync(() => eu.CopyImageAsync(unknownRegion), Ec2ErrorCodes.InvalidRegion);
        var encrypted = Request();
        encrypted.Encrypted = true;
        await ErrorAsync(() => eu.CopyImageAsync(encrypted), Ec2ErrorCodes.UnsupportedOperation);
        var malformedName = Request();
        malformedName.Name = "copy{bad}";
        await ErrorAsync(() => eu.CopyImageAsync(malformedName), Ec2ErrorCodes.InvalidAmiNameMalformed);
        var dryRun = Request();
        dryRun.DryRun = true;
        await ErrorAsync(() => eu.CopyImageAsync(dryRun), Ec2ErrorCodes.DryRunOperation);
        using var bobs = silo.Ec2(ApiSiloFixture.BobKey, ApiSiloFixture.BobSecret, EuWest1);
        await ErrorAsync(() => bobs.CopyImageAsync(Request()), Ec2ErrorCodes.InvalidAmiIdNotFound);
    }

    private sealed record Registered(string ImageId, string Bucket, string ManifestKey, OrleansEc2.Bundling.BundleResult Bundle, byte[] Disk);

    private async Task<Registered> RegisteredImageAsync(int seed, int partSize = 64 * 1024)
    {
        var bundle = await ApiBundles.UploadAsync(silo, UsEast1, seed, partSize);
        using var us = silo.Ec2();
        var registered = await us.RegisterImageAsync(new RegisterImageRequest
        {
            ImageLocation = $"{bundle.Bucket}/{bundle.ManifestKey}",
            Name = Ec2Scenario.UniqueName("original"),
        });
        return new Registered(registered.ImageId, bundle.Bucket, bundle.ManifestKey, bundle.Bundle, bundle.Disk);
    }

    private static async Task<Image> DescribeAsync(AmazonEC2Client ec2, string imageId)
        => (await ec2.DescribeImagesAsync(new DescribeImagesRequest { ImageIds = [imageId] })).Images.Single();

    /// <summary>Moves the simulated clock a part's copy at a time until the image is no longer pending.</summary>
    private async Task<Image> UntilNotPendingAsync(AmazonEC2Client ec2, string imageId)
    {
        var watch = Stopwatch.StartNew();
        while (true)
        {
            var image = await DescribeAsync(ec2, imageId);
            if (image.State.Value != "pending")
            {
                return image;
            }

            watch.Elapsed.Should().BeLessThan(TimeSpan.FromSeconds(60), $"the copy {imageId} should not stay pending");
            silo.Time.Advance(SlowMigrationSiloFixture.PartCopyDelay);
            await Task.Delay(5);
        }
    }

    private static async Task ErrorAsync(Func<Task> act, string code)
    {
        (await act.Should().ThrowAsync<AmazonEC2Exception>()).Which.ErrorCode.Should().Be(code);
    }
}
