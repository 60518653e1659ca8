using OrleansEc2.Api.Tests.Infrastructure;
using OrleansEc2.Client;

namespace OrleansEc2.Api.Tests.BundleTasks;

/// <summary>The bundle flow of the .NET client library (over Orleans, through the gateway) for scripted scenarios.</summary>
[Collection(BundleApiSiloCollection.Name)]
public sealed class BundleTaskClientTests(BundleApiSiloFixture silo)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    [Fact]
    public void UploadPolicies_BuildAndSign_GiveWhatTheAwsCliSends()
    {
        // The AWS CLI's own test of bundle-instance: this bucket, prefix and expiration, signed with the documentation's
        // example secret key, give this signature.
        var policy = UploadPolicies.Build("mybucket", "foobar", new DateTimeOffset(2013, 8, 10, 0, 0, 0, TimeSpan.Zero));

        System.Text.Encoding.UTF8.GetString(Convert.FromBase64String(policy)).Should().Be(
            "{\"expiration\": \"2013-08-10T00:00:00.000000Z\",\"conditions\": [{\"bucket\": \"mybucket\"},{\"acl\": \"ec2-bundle-read\"},[\"starts-with\", \"$key\", \"foobar\"]]}");
        UploadPolicies.Sign(policy, ApiSiloFixture.AliceSecret).Should().Be("ynxybUMv9YuGbPl7HZ8AFJW/2t0=");
    }

    [Fact]
    public async Task WaitForBundleTaskAsync_ReportsEveryStateAndProgress_UntilComplete()
    {
        await using var client = await silo.Silo.ConnectClientAsync();
        var alice = client.ForAccount(ApiSiloFixture.Alice, ApiSiloFixture.UsEast1);
        var instanceId = await RunWindowsAsync(alice);
        var seen = new List<BundleTaskDescription>();

        var started = await alice.BundleInstanceAsync(instanceId, Ec2Scenario.UniqueName("client"), "scripted");
        var complete = await alice.WaitForBundleTaskAsync(
            started.BundleId,
            BundleTaskState.Complete,
            Timeout,
            new Reporter(task =>
            {
                // Each phase lasts its minimum on the simulated clock: move it on once, when the phase is first seen. A
                // phase starts only after the move for the one before it, so none can pass unseen; moving it again on a
                // change of progress could, reported late, spend the next phase's minimum before anyone looked.
                if (seen.Count == 0 || seen[^1].State != task.State)
                {
                    silo.Time.Advance(BundleApiSiloFixture.PhaseMinimum);
                }

                seen.Add(task);
            }),
            pollInterval: TimeSpan.FromMilliseconds(10));

        complete.State.Should().Be(BundleTaskState.Complete);
        complete.Progress.Should().Be(100);
        seen.Select(t => t.State).Distinct().Should().Equal(
            BundleTaskState.Pending, BundleTaskState.WaitingForShutdown, BundleTaskState.Bundling, BundleTaskState.Storing, BundleTaskState.Complete);
        seen.Select(t => t.Progress).Should().BeInAscendingOrder();
        (await alice.DescribeBundleTasksAsync(new Ec2Filter("bundle-id", [started.BundleId]))).Should().Equal(complete);
    }

    [Fact]
    public async Task CancelBundleTaskAsync_ThenWaitingForComplete_ThrowsTheCancelledError()
    {
        await using var client = await silo.Silo.ConnectClientAsync();
        var alice = client.ForAccount(ApiSiloFixture.Alice, ApiSiloFixture.UsEast1);
        var instanceId = await RunWindowsAsync(alice);
        var started = await alice.BundleInstanceAsync(instanceId, Ec2Scenario.UniqueName("client"), "cancelled");

        var cancelling = await alice.CancelBundleTaskAsync(started.BundleId);
        var waitForComplete = () => alice.WaitForBundleTaskAsync(started.BundleId, BundleTaskState.Complete, Timeout, pollInterval: TimeSpan.FromMilliseconds(10));

        cancelling.State.Should().Be(BundleTaskState.Cancelling);
        (await waitForComplete.Should().ThrowAsync<Ec2Exception>()).Which.Code.Should().Be(Ec2ErrorCodes.Cancelled);
        (await alice.WaitForBundleTaskAsync(started.BundleId, BundleTaskState.Failed, Timeout)).Error!.Code.Should().Be(Ec2ErrorCodes.Cancelled);
        var bobs = client.ForAccount(ApiSiloFixture.Bob, ApiSiloFixture.UsEast1);
        (await ((Func<Task>)(() => bobs.CancelBundleTaskAsync(started.BundleId))).Should().ThrowAsync<Ec2Exception>()).Which.Code.Should().Be(Ec2ErrorCodes.InvalidBundleIdNotFound);
    }

    [Fact]
    public async Task WaitForBundleTaskAsync_StateNotReachedInTime_ThrowsTimeout()
    {
        await using var client = await silo.Silo.ConnectClientAsync();
        var alice = client.ForAccount(ApiSiloFixture.Alice, ApiSiloFixture.UsEast1);
        var started = await alice.BundleInstanceAsync(await RunWindowsAsync(alice), Ec2Scenario.UniqueName("client"), "slow");

        var wait = () => alice.WaitForBundleTaskAsync(started.BundleId, BundleTaskState.Complete, TimeSpan.FromMilliseconds(200), pollInterval: TimeSpan.FromMilliseconds(20));

        (await wait.Should().ThrowAsync<TimeoutException>()).Which.Message.Should().Contain("is still pending (0%)");
        await alice.CancelBundleTaskAsync(started.BundleId);
    }

    private static async Task<string> RunWindowsAsync(AccountRegionClient alice)
    {
        var images = await alice.Resources.DescribeImagesAsync(new ImageQuery([], ["amazon"], [], [new Ec2Filter("platform", ["windows"])]));
        var reservation = await alice.Grains.GetGrain<IReservationGrain>(Ec2Ids.NewReservationId())
            .RunInstancesAsync(new RunInstancesRequest(new Caller(alice.AccountId, alice.Region), images[0].ImageId, 1, 1, "m1.small", null, null, null, []));
        return reservation.Instances[0].InstanceId;
    }

    /// <summary>Reports synchronously, on the waiting thread (<see cref="Progress{T}"/> would post elsewhere).</summary>
    private sealed class Reporter(Action<BundleTaskDescription> report) : IProgress<BundleTaskDescription>
    {
        public void Report(BundleTaskDescription value) => report(value);
    }
}
