using System.Security.Cryptography;
using System.Text.Json;
using OrleansEc2.Api.Tests.Infrastructure;

namespace OrleansEc2.Api.Tests.AwsCli;

/// <summary>
/// The seed workflow and S3 through the real AWS CLI, unchanged but for <c>--endpoint-url</c>: its own SigV4, its
/// own upload-policy signing for <c>bundle-instance --owner-akid --owner-sak</c>, its waiters, its multipart transfers.
/// </summary>
[Collection(AwsCliCollection.Name)]
public sealed class AwsCliTests(AwsCliFixture cli)
{
    [Fact]
    public async Task SeedWorkflow_RunBundleRegisterLaunch_ThroughTheAwsCli()
    {
        var bucket = $"aws-cli-{Guid.NewGuid():n}"[..30];
        var images = await cli.JsonAsync("ec2", "describe-images", "--owners", "amazon", "--filters", "Name=platform,Values=windows");
        var windows = images.GetProperty("Images")[0].GetProperty("ImageId").GetString()!;
        var run = await cli.JsonAsync("ec2", "run-instances", "--image-id", windows, "--count", "1", "--instance-type", "m1.small", "--security-groups", "default");
        var instanceId = run.GetProperty("Instances")[0].GetProperty("InstanceId").GetString()!;
        (await cli.RunAsync("ec2", "wait", "instance-running", "--instance-ids", instanceId)).ExitCode.Should().Be(0);

        var bundle = await cli.JsonAsync(
            "ec2", "bundle-instance", "--instance-id", instanceId, "--bucket", bucket, "--prefix", "winami",
            "--owner-akid", ApiSiloFixture.AliceKey, "--owner-sak", ApiSiloFixture.AliceSecret);
        var bundleId = bundle.GetProperty("BundleTask").GetProperty("BundleId").GetString()!;
        var waited = await cli.RunAsync("ec2", "wait", "bundle-task-complete", "--bundle-ids", bundleId);
        var tasks = await cli.JsonAsync("ec2", "describe-bundle-tasks", "--bundle-ids", bundleId);
        var listing = await cli.JsonAsync("s3api", "list-objects-v2", "--bucket", bucket);
        var registered = await cli.JsonAsync("ec2", "register-image", "--image-location", $"{bucket}/winami.manifest.xml", "--name", bucket);
        var imageId = registered.GetProperty("ImageId").GetString()!;
        var copy = await cli.JsonAsync("ec2", "run-instances", "--image-id", imageId, "--count", "1");
        var copyId = copy.GetProperty("Instances")[0].GetProperty("InstanceId").GetString()!;
        var copyRunning = await cli.RunAsync("ec2", "wait", "instance-running", "--instance-ids", copyId);
        var console = await cli.JsonAsync("ec2", "get-console-output", "--instance-id", copyId);
        var described = await cli.JsonAsync("ec2", "describe-images", "--image-ids", imageId);
        var original = await cli.JsonAsync("ec2", "describe-instances", "--instance-ids", instanceId);

        run.GetProperty("Groups")[0].GetProperty("GroupName").GetString().Should().Be("default");
        bundleId.Should().MatchRegex("^bun-[0-9a-f]{8}$");
        bundle.GetProperty("BundleTask").GetProperty("Storage").GetProperty("S3").GetProperty("Bucket").GetString().Should().Be(bucket);
        waited.ExitCode.Should().Be(0, waited.Error);
        var task = tasks.GetProperty("BundleTasks")[0];
        task.GetProperty("State").GetString().Should().Be("complete");
        task.GetProperty("Progress").GetString().Should().Be("100%");
        task.GetProperty("InstanceId").GetString().Should().Be(instanceId);
        listing.GetProperty("Contents").EnumerateArray().Select(o => o.GetProperty("Key").GetString())
            .Should().Equal("winami.manifest.xml", "winami.part.00");
        imageId.Should().MatchRegex("^ami-[0-9a-f]{17}$");
        copyRunning.ExitCode.Should().Be(0, copyRunning.Error);
        console.GetProperty("InstanceId").GetString().Should().Be(copyId);
        console.GetProperty("Output").GetString().Should().Contain("Windows sysprep configuration complete.", "the CLI decodes the base64 output")
            .And.Contain("Message: Windows is Ready to use");
        var image = described.GetProperty("Images")[0];
        image.GetProperty("State").GetString().Should().Be("available");
        image.GetProperty("ImageLocation").GetString().Should().Be($"{bucket}/winami.manifest.xml");
        image.GetProperty("Platform").GetString().Should().Be("windows");
        original.GetProperty("Reservations")[0].GetProperty("Instances")[0].GetProperty("State").GetProperty("Name").GetString()
            .Should().Be("running", "the bundled instance is restarted");
    }

    [Fact]
    public async Task S3_CopyUpAndDown_AMultipartFile_ByteExact_AndReadsItsPartsBack()
    {
        var bucket = $"aws-cli-{Guid.NewGuid():n}"[..30];
        var content = new byte[20 * 1024 * 1024 + 12345];
        new Random(2008).NextBytes(content);
        var local = Path.Combine(cli.WorkDirectory, bucket + ".bin");
        var back = local + ".back";
        await File.WriteAllBytesAsync(local, content);

        var made = await cli.RunAsync("s3", "mb", $"s3://{bucket}");
        var up = await cli.RunAsync("s3", "cp", local, $"s3://{bucket}/big.bin", "--only-show-errors");
        var down = await cli.RunAsync("s3", "cp", $"s3://{bucket}/big.bin", back, "--only-show-errors");
        var head = await cli.JsonAsync("s3api", "head-object", "--bucket", bucket, "--key", "big.bin", "--part-number", "2");
        var ls = await cli.RunAsync("s3", "ls", $"s3://{bucket}/");

        made.ExitCode.Should().Be(0, made.Error);
        up.ExitCode.Should().Be(0, up.Error);
        down.ExitCode.Should().Be(0, down.Error);
        SHA256.HashData(await File.ReadAllBytesAsync(back)).Should().Equal(SHA256.HashData(content));
        head.GetProperty("PartsCount").GetInt32().Should().Be(3, "the CLI uploads files over 8 MiB in 8 MiB parts");
        head.GetProperty("ContentLength").GetInt64().Should().Be(8 * 1024 * 1024);
        head.GetProperty("ContentRange").GetString().Should().Be($"bytes 8388608-16777215/{content.Length}");
        head.GetProperty("ETag").GetString().Should().EndWith("-3\"");
        ls.Output.Should().MatchRegex($@"^\d{{4}}-\d\d-\d\d \d\d:\d\d:\d\d +{content.Length} big\.bin\n$");
    }

    [Fact]
    public async Task Errors_AreTheServicesCodes_WithANonZeroExit()
    {
        var missing = await cli.RunAsync("ec2", "describe-instances", "--instance-ids", "i-0123456789abcdef0");
        var dryRun = await cli.RunAsync("ec2", "describe-regions", "--dry-run");
        var noBucket = await cli.RunAsync("s3api", "head-bucket", "--bucket", "no-such-bucket-" + Guid.NewGuid().ToString("n")[..12]);
        var refused = await cli.RunAsync("ec2", "register-image", "--image-location", "no-such-bucket-x/none.manifest.xml", "--name", "none");

        missing.ExitCode.Should().NotBe(0);
        missing.Error.Should().Contain("(InvalidInstanceID.NotFound)").And.Contain("i-0123456789abcdef0");
        dryRun.ExitCode.Should().NotBe(0);
        dryRun.Error.Should().Contain("(DryRunOperation)");
        noBucket.ExitCode.Should().NotBe(0);
        noBucket.Error.Should().Contain("(404)");
        refused.ExitCode.Should().NotBe(0);
        refused.Error.Should().MatchRegex(@"\((InvalidManifest|InvalidParameterValue)\)");
    }
}
