using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using Amazon.EC2;
using Amazon.EC2.Model;
using OrleansEc2.Api.Tests.Infrastructure;
using OrleansEc2.Bundling.Disks;
using DiskImage = OrleansEc2.Bundling.Disks.DiskImage;
using Ec2BundleInstanceRequest = Amazon.EC2.Model.BundleInstanceRequest;
using Ec2BundleTaskState = Amazon.EC2.BundleTaskState;

namespace OrleansEc2.Api.Tests.BundleTasks;

/// <summary>BundleInstance, DescribeBundleTasks and CancelBundleTask through the AWS SDK for .NET.</summary>
[Collection(BundleApiSiloCollection.Name)]
public sealed class BundleTaskApiTests(BundleApiSiloFixture silo, Xunit.Abstractions.ITestOutputHelper output)
{
    private const string Alice = ApiSiloFixture.Alice;
    private const string UsEast1 = ApiSiloFixture.UsEast1;
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task BundleInstance_WithTheAwsCliUploadPolicy_GoesThroughEveryStateAndStoresAVerifiableBundle()
    {
        using var ec2 = silo.Alices();
        var instanceId = (await Ec2Scenario.RunAsync(ec2)).Single().InstanceId;
        var instance = silo.Grains.GetGrain<IInstanceGrain>(instanceId);
        var notes = Encoding.UTF8.GetBytes("written before ec2-bundle-instance\r\n");
        await instance.WriteFileAsync(Alice, @"C:\Users\Administrator\Desktop\notes.txt", notes);
        await instance.ZeroFreeSpaceAsync(Alice);
        var before = await Ec2Scenario.DescribeAsync(ec2, instanceId);
        var bucket = Ec2Scenario.UniqueName("sdk-bundles");

        var response = await ec2.BundleInstanceAsync(CliUploadPolicy.Request(instanceId, bucket, "sdkimage", silo.Time.GetUtcNow(), ApiSiloFixture.AliceKey, ApiSiloFixture.AliceSecret));

        var started = response.BundleTask;
        started.BundleId.Should().MatchRegex("^bun-[0-9a-f]{8}$");
        started.InstanceId.Should().Be(instanceId);
        started.State.Value.Should().Be("pending");
        started.Progress.Should().Be("0%");
        started.StartTime.Should().Be(silo.Time.GetUtcNow().UtcDateTime);
        started.Storage.S3.Bucket.Should().Be(bucket);
        started.Storage.S3.Prefix.Should().Be("sdkimage");
        started.Storage.S3.AWSAccessKeyId.Should().BeNull("the access key is left out of answers");

        var seen = new List<BundleTask> { started };
        while (seen[^1].State.Value is not ("complete" or "failed"))
        {
            var last = seen[^1].State.Value;
            silo.Time.Advance(BundleApiSiloFixture.PhaseMinimum);
            seen.Add(await WaitForAsync(ec2, started.BundleId, t => t.State.Value != last));
        }

        seen.Select(t => t.State.Value).Should().Equal("pending", "waiting-for-shutdown", "bundling", "storing", "complete");
        var complete = seen[^1];
        complete.Progress.Should().Be("100%");
        complete.BundleTaskError.Should().BeNull();
        complete.UpdateTime.Should().Be(started.StartTime!.Value + (4 * BundleApiSiloFixture.PhaseMinimum));

        var blobs = silo.Silo.GetRequiredService<IBlobStore>();
        var (manifest, parts, keys) = await BundleReader.ReadAsync(silo.Grains, blobs, Alice, bucket, "sdkimage");
        keys.Should().BeEquivalentTo([.. manifest.Parts.Select(p => p.FileName), "sdkimage.manifest.xml"]);
        manifest.Parts.Should().HaveCountGreaterThan(1);
        var image = await BundleReader.VerifyAndUnbundleAsync(silo.Grains, manifest, parts, Alice, UsEast1);
        var bundled = DiskImage.Open(new MemoryStream(image, writable: false));
        bundled.Identity.Should().BeNull();
        bundled.ReadFile(@"C:\Users\Administrator\Desktop\notes.txt").Should().Equal(notes);

        var after = await Ec2Scenario.DescribeAsync(ec2, instanceId);
        after.State.Name.Value.Should().Be("running");
        var identity = await instance.DescribeAsync(Alice);
        identity.ComputerName.Should().NotBeNull();
        await instance.StopAsync(Alice, force: false);
        var disk = (await instance.SnapshotDiskAsync(Alice)).Disk;
        await using (var stored = blobs.OpenRead(disk.BlobHash))
        await using (var generalized = Sysprep.OpenGeneralized(stored))
        {
            var expected = new MemoryStream();
            await generalized.CopyToAsync(expected);
            Convert.ToHexString(SHA256.HashData(image)).Should().Be(Convert.ToHexString(SHA256.HashData(expected.ToArray())));
        }

        await instance.StartAsync(Alice);
        (after.InstanceId, after.PrivateIpAddress).Should().Be((before.InstanceId, before.PrivateIpAddress));
        var byState = await ec2.DescribeBundleTasksAsync(new DescribeBundleTasksRequest
        {
            Filters = [new Filter("state", ["complete"]), new Filter("s3-bucket", [bucket])],
        });
        byState.BundleTasks.Should().ContainSingle().Which.BundleId.Should().Be(started.BundleId);
    }

    [Fact]
    public async Task CancelBundleTask_WhilePending_AnswersCancellingThenTheTaskFailsWithClientCancelled()
    {
        using var ec2 = silo.Alices();
        var instanceId = (await Ec2Scenario.RunAsync(ec2)).Single().InstanceId;
        var bucket = Ec2Scenario.UniqueName("cancelled");
        var bundleId = (await ec2.BundleInstanceAsync(CliUploadPolicy.Request(instanceId, bucket, "img", silo.Time.GetUtcNow(), ApiSiloFixture.AliceKey, ApiSiloFixture.AliceSecret))).BundleTask.BundleId;

        var dryRun = () => ec2.CancelBundleTaskAsync(new CancelBundleTaskRequest { BundleId = bundleId, DryRun = true });
        (await dryRun.Should().ThrowAsync<AmazonEC2Exception>()).Which.ErrorCode.Should().Be("DryRunOperation");
        var cancel = await ec2.CancelBundleTaskAsync(new CancelBundleTaskRequest { BundleId = bundleId });
        var failed = await WaitForAsync(ec2, bundleId, t => t.State == Ec2BundleTaskState.Failed);

        cancel.BundleTask.State.Value.Should().Be("cancelling");
        failed.BundleTaskError.Code.Should().Be("Client.Cancelled");
        failed.BundleTaskError.Message.Should().Be("User cancelled the bundle task (CancelBundleTask).");
        (await Ec2Scenario.DescribeAsync(ec2, instanceId)).State.Name.Value.Should().Be("running");
        var listing = await silo.Grains.GetGrain<IBucketGrain>(bucket).ListObjectsAsync(Alice, new ListObjectsQuery("img", null, 1000, null));
        listing.Objects.Should().BeEmpty();
        var again = () => ec2.CancelBundleTaskAsync(new CancelBundleTaskRequest { BundleId = bundleId });
        (await again.Should().ThrowAsync<AmazonEC2Exception>()).Which.ErrorCode.Should().Be("IncorrectState");
        var againDry = () => ec2.CancelBundleTaskAsync(new CancelBundleTaskRequest { BundleId = bundleId, DryRun = true });
        (await againDry.Should().ThrowAsync<AmazonEC2Exception>()).Which.ErrorCode.Should().Be("IncorrectState");
    }

    [Fact]
    public async Task BundleInstance_DryRun_ChecksEverythingAndChangesNothing()
    {
        using var ec2 = silo.Alices();
        using var bobs = silo.Bobs();
        var instanceId = (await Ec2Scenario.RunAsync(ec2)).Single().InstanceId;
        var bobsInstance = (await Ec2Scenario.RunAsync(bobs)).Single().InstanceId;
        var bucket = Ec2Scenario.UniqueName("dry-run");
        var now = silo.Time.GetUtcNow();

        var good = CliUploadPolicy.Request(instanceId, bucket, "img", now, ApiSiloFixture.AliceKey, ApiSiloFixture.AliceSecret);
        good.DryRun = true;
        var badSignature = CliUploadPolicy.Request(instanceId, bucket, "img", now, ApiSiloFixture.AliceKey, ApiSiloFixture.BobSecret);
        badSignature.DryRun = true;
        var others = CliUploadPolicy.Request(bobsInstance, bucket, "img", now, ApiSiloFixture.AliceKey, ApiSiloFixture.AliceSecret);
        others.DryRun = true;

        (await Refusal(() => ec2.BundleInstanceAsync(good))).Should().Be(("DryRunOperation", "Request would have succeeded, but DryRun flag is set."));
        (await Refusal(() => ec2.BundleInstanceAsync(badSignature))).Code.Should().Be("InvalidPolicy");
        (await Refusal(() => ec2.BundleInstanceAsync(others))).Code.Should().Be("UnauthorizedOperation");
        (await silo.Grains.GetGrain<IBucketGrain>(bucket).FindAsync()).Should().BeNull();
        (await ec2.DescribeBundleTasksAsync(new DescribeBundleTasksRequest { Filters = [new Filter("instance-id", [instanceId])] })).BundleTasks.Should().BeNullOrEmpty();
        (await Refusal(() => ec2.DescribeBundleTasksAsync(new DescribeBundleTasksRequest { DryRun = true }))).Code.Should().Be("DryRunOperation");
    }

    public static TheoryData<string, string> Refusals => new()
    {
        { "malformed instance id", "InvalidInstanceID.Malformed" },
        { "Linux instance", "UnsupportedOperation" },
        { "expired policy", "InvalidPolicy" },
        { "another account's access key", "InvalidParameterValue" },
        { "bucket name with a space", "InvalidParameterValue" },
        { "another account's bucket", "InvalidParameterValue" },
    };

    [Theory]
    [MemberData(nameof(Refusals))]
    public async Task BundleInstance_Refused_AnswersTheEc2Error(string problem, string code)
    {
        using var ec2 = silo.Alices();
        var now = silo.Time.GetUtcNow();
        var bucket = Ec2Scenario.UniqueName("refused");
        var windows = (await Ec2Scenario.RunAsync(ec2)).Single().InstanceId;
        var request = problem switch
        {
            "malformed instance id" => CliUploadPolicy.Request("i-123", bucket, "img", now, ApiSiloFixture.AliceKey, ApiSiloFixture.AliceSecret),
            "Linux instance" => CliUploadPolicy.Request((await Ec2Scenario.RunAsync(ec2, imageName: Ec2Scenario.LinuxImageName)).Single().InstanceId, bucket, "img", now, ApiSiloFixture.AliceKey, ApiSiloFixture.AliceSecret),
            "expired policy" => CliUploadPolicy.Request(windows, bucket, "img", now, ApiSiloFixture.AliceKey, ApiSiloFixture.AliceSecret, CliUploadPolicy.Json(bucket, "img", now.AddMinutes(-1))),
            "another account's access key" => CliUploadPolicy.Request(windows, bucket, "img", now, ApiSiloFixture.BobKey, ApiSiloFixture.BobSecret),
            "bucket name with a space" => CliUploadPolicy.Request(windows, "my bucket", "img", now, ApiSiloFixture.AliceKey, ApiSiloFixture.AliceSecret),
            "another account's bucket" => await BobsBucketAsync(CliUploadPolicy.Request(windows, bucket, "img", now, ApiSiloFixture.AliceKey, ApiSiloFixture.AliceSecret)),
            _ => throw new ArgumentOutOfRangeException(nameof(problem), problem, null),
        };

        var (actual, message) = await Refusal(() => ec2.BundleInstanceAsync(request));

        actual.Should().Be(code, message);
        message.Should().NotBeNullOrWhiteSpace();
        (await ec2.DescribeBundleTasksAsync(new DescribeBundleTasksRequest { Filters = [new Filter("s3-bucket", [request.Storage.S3.Bucket])] })).BundleTasks.Should().BeNullOrEmpty();
    }

    [Fact]
    public async Task BundleInstance_WithoutTheUploadPolicy_FailsWithMissingParameter()
    {
        using var http = new HttpClient();
        var body = RequestSigner.Form(
            ("Action", "BundleInstance"), ("Version", "2016-11-15"), ("InstanceId", "i-0123456789abcdef0"),
            ("Storage.S3.Bucket", "bucket"), ("Storage.S3.Prefix", "img"), ("Storage.S3.AWSAccessKeyId", ApiSiloFixture.AliceKey),
            ("Storage.S3.UploadPolicySignature", "c2ln"));

        using var response = await http.SendAsync(RequestSigner.Ec2Post(silo.BaseUri, body, ApiSiloFixture.AliceKey, ApiSiloFixture.AliceSecret));
        var text = await response.Content.ReadAsStringAsync();

        ((int)response.StatusCode).Should().Be(400);
        text.Should().Contain("<Code>MissingParameter</Code>").And.Contain("Storage.S3.UploadPolicy");
    }

    [Fact]
    public async Task DescribeAndCancel_AnotherAccountsOrMalformedOrUnknownBundle_AnswerNotFoundOrMalformed()
    {
        using var ec2 = silo.Alices();
        using var bobs = silo.Bobs();
        var instanceId = (await Ec2Scenario.RunAsync(ec2)).Single().InstanceId;
        var bundleId = (await ec2.BundleInstanceAsync(CliUploadPolicy.Request(instanceId, Ec2Scenario.UniqueName("mine"), "img", silo.Time.GetUtcNow(), ApiSiloFixture.AliceKey, ApiSiloFixture.AliceSecret))).BundleTask.BundleId;

        (await Refusal(() => bobs.DescribeBundleTasksAsync(new DescribeBundleTasksRequest { BundleIds = [bundleId] }))).Code.Should().Be("InvalidBundleID.NotFound");
        (await Refusal(() => bobs.CancelBundleTaskAsync(new CancelBundleTaskRequest { BundleId = bundleId }))).Code.Should().Be("InvalidBundleID.NotFound");
        (await Refusal(() => ec2.DescribeBundleTasksAsync(new DescribeBundleTasksRequest { BundleIds = ["bun-12345678"] }))).Code.Should().Be("InvalidBundleID.NotFound");
        (await Refusal(() => ec2.CancelBundleTaskAsync(new CancelBundleTaskRequest { BundleId = "bundle-1" }))).Code.Should().Be("InvalidBundleID.Malformed");
        (await Refusal(() => ec2.DescribeBundleTasksAsync(new DescribeBundleTasksRequest { Filters = [new Filter("colour", ["red"])] }))).Code.Should().Be("InvalidParameterValue");
        await ec2.CancelBundleTaskAsync(new CancelBundleTaskRequest { BundleId = bundleId });
    }

    [Fact]
    public async Task TenBundleInstancesAtOnce_AllComplete_AndDescribeBundleTasksAnswersWithinTwoSecondsWhileTheyRun()
    {
        using var ec2 = silo.Alices();
        var instances = (await Ec2Scenario.RunAsync(ec2, count: 10)).Select(i => i.InstanceId).ToList();
        var bucket = Ec2Scenario.UniqueName("ten");
        var now = silo.Time.GetUtcNow();
        var started = await Task.WhenAll(instances.Select((id, i) =>
            ec2.BundleInstanceAsync(CliUploadPolicy.Request(id, bucket, $"image{i}", now, ApiSiloFixture.AliceKey, ApiSiloFixture.AliceSecret))));
        var ids = started.Select(r => r.BundleTask.BundleId).ToList();

        var slowest = TimeSpan.Zero;
        var describes = 0;
        var states = new HashSet<string>();
        var watch = Stopwatch.StartNew();
        List<BundleTask> tasks;
        while (true)
        {
            var call = Stopwatch.StartNew();
            tasks = (await ec2.DescribeBundleTasksAsync(new DescribeBundleTasksRequest { BundleIds = ids })).BundleTasks;
            slowest = call.Elapsed > slowest ? call.Elapsed : slowest;
            describes++;
            states.UnionWith(tasks.Select(t => t.State.Value));
            if (tasks.All(t => t.State.Value is "complete" or "failed"))
            {
                break;
            }

            watch.Elapsed.Should().BeLessThan(Patience);
            silo.Time.Advance(BundleApiSiloFixture.PhaseMinimum);
        }

        output.WriteLine($"10 tasks done in {watch.Elapsed.TotalMilliseconds:F0} ms; {describes} DescribeBundleTasks, slowest {slowest.TotalMilliseconds:F1} ms");
        tasks.Should().HaveCount(10).And.OnlyContain(t => t.State.Value == "complete" && t.Progress == "100%");
        states.Should().Contain(["pending", "bundling", "storing", "complete"]);
        slowest.Should().BeLessThan(TimeSpan.FromSeconds(2), $"the slowest of {describes} DescribeBundleTasks while ten tasks ran");
        var described = await ec2.DescribeInstancesAsync(new DescribeInstancesRequest { InstanceIds = instances });
        described.Reservations.SelectMany(r => r.Instances).Should().OnlyContain(i => i.State.Name.Value == "running");
    }

    private async Task<Ec2BundleInstanceRequest> BobsBucketAsync(Ec2BundleInstanceRequest request)
    {
        await silo.Grains.GetGrain<IBucketGrain>(request.Storage.S3.Bucket).CreateAsync(ApiSiloFixture.Bob, UsEast1);
        return request;
    }

    private static async Task<(string Code, string Message)> Refusal(Func<Task> act)
    {
        var error = (await act.Should().ThrowAsync<AmazonEC2Exception>()).Which;
        return (error.ErrorCode, error.Message);
    }

    private static async Task<BundleTask> WaitForAsync(AmazonEC2Client ec2, string bundleId, Func<BundleTask, bool> until)
    {
        var watch = Stopwatch.StartNew();
        while (true)
        {
            var task = (await ec2.DescribeBundleTasksAsync(new DescribeBundleTasksRequest { BundleIds = [bundleId] })).BundleTasks.Single();
            if (until(task))
            {
                return task;
            }

            if (watch.Elapsed > Patience)
            {
                throw new TimeoutException($"Bundle task {bundleId} is still {task.State.Value} after {Patience}.");
            }

            await Task.Delay(10);
        }
    }
}
