using static OrleansEc2.Grains.Tests.BundleTasks.BundleKit;

namespace OrleansEc2.Grains.Tests.BundleTasks;

/// <summary>
/// Every refusal of BundleInstance, with its exact code; each leaves nothing behind: no task, no bucket, a running
/// instance that can still be bundled.
/// </summary>
[Collection(BundleClusterCollection.Name)]
public sealed class BundleInstanceRefusalTests(BundleClusterFixture fixture)
{
    public static TheoryData<string, string> BadRequests => new()
    {
        { "bucket name too short", Ec2ErrorCodes.InvalidParameterValue },
        { "bucket name with a slash", Ec2ErrorCodes.InvalidParameterValue },
        { "prefix with a space", Ec2ErrorCodes.InvalidParameterValue },
        { "prefix of 201 characters", Ec2ErrorCodes.InvalidParameterValue },
        { "unknown access key", Ec2ErrorCodes.InvalidParameterValue },
        { "another account's access key", Ec2ErrorCodes.InvalidParameterValue },
        { "signed with another secret", Ec2ErrorCodes.InvalidPolicy },
        { "expired policy", Ec2ErrorCodes.InvalidPolicy },
        { "policy for another bucket", Ec2ErrorCodes.InvalidPolicy },
        { "policy for another prefix", Ec2ErrorCodes.InvalidPolicy },
        { "policy over 4096 bytes", Ec2ErrorCodes.InvalidPolicy },
        { "policy not JSON", Ec2ErrorCodes.InvalidPolicy },
        { "malformed instance id", Ec2ErrorCodes.InvalidInstanceIdMalformed },
        { "unknown instance", Ec2ErrorCodes.InvalidInstanceIdNotFound },
        { "another account's instance", Ec2ErrorCodes.InvalidInstanceIdNotFound },
        { "instance of another region", Ec2ErrorCodes.InvalidInstanceIdNotFound },
        { "Linux instance", Ec2ErrorCodes.UnsupportedOperation },
        { "stopped instance", Ec2ErrorCodes.IncorrectInstanceState },
        { "another account's bucket", Ec2ErrorCodes.InvalidParameterValue },
        { "own bucket in another region", Ec2ErrorCodes.InvalidParameterValue },
    };

    [Theory]
    [MemberData(nameof(BadRequests))]
    public async Task BundleInstance_Refused_FailsWithItsCodeAndLeavesNothingBehind(string problem, string code)
    {
        var grains = fixture.Grains;
        var windows = await Scenario.RunOneAsync(grains);
        var instanceId = (await windows.DescribeAsync(Alice)).InstanceId;
        var bucket = NewBucketName();
        var now = fixture.Time.GetUtcNow();
        var good = Request(instanceId, bucket, "refused", now);
        var request = problem switch
        {
            "bucket name too short" => Request(instanceId, "ab", "refused", now),
            "bucket name with a slash" => Request(instanceId, "my/bucket", "refused", now),
            "prefix with a space" => Request(instanceId, bucket, "my image", now),
            "prefix of 201 characters" => Request(instanceId, bucket, new string('p', 201), now),
            "unknown access key" => good with { AccessKeyId = "AKIAUNKNOWNKEYEXAMPL" },
            "another account's access key" => Request(instanceId, bucket, "refused", now, accessKeyId: BobKey, secret: BobSecret),
            "signed with another secret" => Request(instanceId, bucket, "refused", now, secret: BobSecret),
            "expired policy" => Request(instanceId, bucket, "refused", now, policyJson: PolicyJson(bucket, "refused", now.AddSeconds(-1))),
            "policy for another bucket" => Request(instanceId, bucket, "refused", now, policyJson: PolicyJson("otherbucket", "refused", now.AddHours(1))),
            "policy for another prefix" => Request(instanceId, bucket, "refused", now, policyJson: PolicyJson(bucket, "other", now.AddHours(1))),
            "policy over 4096 bytes" => Request(instanceId, bucket, "refused", now, policyJson: PolicyJson(bucket, "refused", now.AddHours(1)) + new string(' ', 4096)),
            "policy not JSON" => Request(instanceId, bucket, "refused", now, policyJson: "expiration=tomorrow"),
            "malformed instance id" => good with { InstanceId = "i-xyz" },
            "unknown instance" => good with { InstanceId = Ec2Ids.NewInstanceId() },
            "another account's instance" => good with { InstanceId = (await (await Scenario.RunOneAsync(grains, account: Bob)).DescribeAsync(Bob)).InstanceId },
            "instance of another region" => good with { Caller = new Caller(Alice, ClusterFixture.EuWest1) },
            "Linux instance" => good with { InstanceId = (await (await Scenario.RunOneAsync(grains, Platform.Linux)).DescribeAsync(Alice)).InstanceId },
            "stopped instance" => await StoppedAsync(grains, good),
            "another account's bucket" => await WithBucketAsync(grains, good, Bob, UsEast1),
            "own bucket in another region" => await WithBucketAsync(grains, good, Alice, ClusterFixture.EuWest1),
            _ => throw new ArgumentOutOfRangeException(nameof(problem), problem, null),
        };
        var bucketBefore = await grains.GetGrain<IBucketGrain>(request.Bucket).FindAsync();
        var task = NewTask(grains);

        var dryRun = await ThrowsAsync(() => task.CheckStartAsync(request), code);
        var refused = await ThrowsAsync(() => task.StartAsync(request), code);

        refused.Message.Should().Be(dryRun.Message);
        await ThrowsAsync(() => task.DescribeAsync(Alice), Ec2ErrorCodes.InvalidBundleIdNotFound);
        (await Scenario.Index(grains).DescribeBundleTasksAsync([], [new Ec2Filter("instance-id", [request.InstanceId])])).Should().BeEmpty();
        (await grains.GetGrain<IBucketGrain>(request.Bucket).FindAsync()).Should().Be(bucketBefore);
        (await windows.DescribeAsync(Alice)).State.Should().Be(problem == "stopped instance" ? InstanceStateName.Stopped : InstanceStateName.Running);
        if (problem != "stopped instance")
        {
            // Nothing was claimed: the same instance bundles at once with a good request.
            await NewTask(grains).CheckStartAsync(Request(instanceId, NewBucketName(), "refused", now));
        }
    }

    [Fact]
    public async Task BundleInstance_IntoABucketNobodyHas_CreatesItInTheInstancesRegion()
    {
        var grains = fixture.Grains;
        var instance = await Scenario.RunOneAsync(grains);
        var request = Request((await instance.DescribeAsync(Alice)).InstanceId, NewBucketName().ToUpperInvariant() + "_Legacy", "legacy", fixture.Time.GetUtcNow());
        var task = NewTask(grains);

        await task.StartAsync(request);
        var complete = await WaitUntilFinishedAsync(task);

        complete.State.Should().Be(BundleTaskState.Complete, complete.Error?.Message);
        var bucket = await grains.GetGrain<IBucketGrain>(request.Bucket).FindAsync();
        bucket.Should().BeEquivalentTo(new { Name = request.Bucket, OwnerId = Alice, Region = UsEast1 });
        (await ListAsync(grains, request.Bucket, "legacy.manifest.xml")).Should().ContainSingle();
    }

    [Fact]
    public async Task BundleInstance_IntoTheCallersExistingBucket_StoresBesideItsObjects()
    {
        var grains = fixture.Grains;
        var instance = await Scenario.RunOneAsync(grains);
        var bucketName = NewBucketName();
        var bucket = grains.GetGrain<IBucketGrain>(bucketName);
        await bucket.CreateAsync(Alice, UsEast1);
        var task = NewTask(grains);

        await task.StartAsync(Request((await instance.DescribeAsync(Alice)).InstanceId, bucketName, "second-image", fixture.Time.GetUtcNow()));
        var complete = await WaitUntilFinishedAsync(task);

        complete.State.Should().Be(BundleTaskState.Complete, complete.Error?.Message);
        (await ListAsync(grains, bucketName, "second-image.")).Select(o => o.Key).Should().Contain("second-image.manifest.xml");
    }

    [Fact]
    public async Task CancelAndDescribe_AnotherAccountsTask_FailWithNotFound()
    {
        var grains = fixture.Grains;
        var instance = await Scenario.RunOneAsync(grains);
        var task = NewTask(grains);
        await task.StartAsync(Request((await instance.DescribeAsync(Alice)).InstanceId, NewBucketName(), "mine", fixture.Time.GetUtcNow()));

        await ThrowsAsync(() => task.DescribeAsync(Bob), Ec2ErrorCodes.InvalidBundleIdNotFound);
        await ThrowsAsync(() => task.CancelAsync(Bob), Ec2ErrorCodes.InvalidBundleIdNotFound);
        (await WaitUntilFinishedAsync(task)).State.Should().Be(BundleTaskState.Complete);
        await ThrowsAsync(() => task.CancelAsync(Alice), Ec2ErrorCodes.IncorrectState);
    }

    private static async Task<BundleInstanceRequest> StoppedAsync(IGrainFactory grains, BundleInstanceRequest request)
    {
        await grains.GetGrain<IInstanceGrain>(request.InstanceId).StopAsync(Alice, force: false);
        return request;
    }

    private static async Task<BundleInstanceRequest> WithBucketAsync(IGrainFactory grains, BundleInstanceRequest request, string owner, string region)
    {
        await grains.GetGrain<IBucketGrain>(request.Bucket).CreateAsync(owner, region);
        return request;
    }
}
