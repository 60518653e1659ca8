namespace OrleansEc2.Grains.Tests.AccountRegions;

[Collection(ClusterCollection.Name)]
public sealed class BundleTaskIndexTests(ClusterFixture fixture)
{
    [Fact]
    public async Task Describe_ByIdAndFilters_OnlyTheAccountsOwnTasks()
    {
        var index = Scenario.Index(fixture.Grains, region: "us-west-1");
        var now = fixture.Time.GetUtcNow();
        var storing = Task("bun-" + Ec2Ids.RandomHex(8), BundleTaskState.Storing, 70, now);
        var failed = Task("bun-" + Ec2Ids.RandomHex(8), BundleTaskState.Failed, 20, now) with { Error = new BundleTaskError("Client.Cancelled", "Cancelled by user") };
        await index.UpsertBundleTaskAsync(storing);
        await index.UpsertBundleTaskAsync(failed);

        (await index.DescribeBundleTasksAsync([storing.BundleId], [])).Should().Equal(storing);
        (await index.DescribeBundleTasksAsync([], [new Ec2Filter("state", ["storing"])])).Should().Contain(storing).And.NotContain(failed);
        (await index.DescribeBundleTasksAsync([], [new Ec2Filter("progress", ["70%"]), new Ec2Filter("s3-bucket", ["mybucket"])])).Should().Contain(storing);
        (await index.DescribeBundleTasksAsync([], [new Ec2Filter("error-code", ["Client.Cancelled"])])).Should().Equal(failed);
        (await index.GetUnfinishedBundleTasksAsync()).Should().Contain(storing.BundleId).And.NotContain(failed.BundleId);

        var bob = () => Scenario.Index(fixture.Grains, ClusterFixture.Bob, "us-west-1").DescribeBundleTasksAsync([storing.BundleId], []);
        (await bob.Should().ThrowAsync<Ec2Exception>()).Which.Code.Should().Be(Ec2ErrorCodes.InvalidBundleIdNotFound);
    }

    [Fact]
    public async Task Describe_FinishedTask_IsListedUntilItsRetentionEnds()
    {
        var index = Scenario.Index(fixture.Grains, region: "us-west-1");
        var complete = Task("bun-" + Ec2Ids.RandomHex(8), BundleTaskState.Complete, 100, fixture.Time.GetUtcNow());
        await index.UpsertBundleTaskAsync(complete);

        (await index.DescribeBundleTasksAsync([complete.BundleId], [])).Should().ContainSingle();
        fixture.Time.Advance(TimeSpan.FromHours(24));

        var act = () => index.DescribeBundleTasksAsync([complete.BundleId], []);
        (await act.Should().ThrowAsync<Ec2Exception>()).Which.Code.Should().Be(Ec2ErrorCodes.InvalidBundleIdNotFound);
    }

    [Fact]
    public async Task Describe_MalformedId_FailsWithMalformed()
    {
        var act = () => Scenario.Index(fixture.Grains).DescribeBundleTasksAsync(["bun-xyz"], []);

        (await act.Should().ThrowAsync<Ec2Exception>()).Which.Code.Should().Be(Ec2ErrorCodes.InvalidBundleIdMalformed);
    }

    [Fact]
    public async Task BeginBundle_OneAtATime_WindowsOnly_RunningOnly()
    {
        var windows = await Scenario.RunOneAsync(fixture.Grains);
        var linux = await Scenario.RunOneAsync(fixture.Grains, Platform.Linux);

        await windows.BeginBundleAsync(ClusterFixture.Alice, "bun-00000001");
        await windows.BeginBundleAsync(ClusterFixture.Alice, "bun-00000001");
        var second = () => windows.BeginBundleAsync(ClusterFixture.Alice, "bun-00000002");
        (await second.Should().ThrowAsync<Ec2Exception>()).Which.Code.Should().Be(Ec2ErrorCodes.BundlingInProgress);

        await windows.EndBundleAsync("bun-00000001");
        await windows.StopAsync(ClusterFixture.Alice, force: false);
        var stopped = () => windows.BeginBundleAsync(ClusterFixture.Alice, "bun-00000002");
        (await stopped.Should().ThrowAsync<Ec2Exception>()).Which.Code.Should().Be(Ec2ErrorCodes.IncorrectInstanceState);

        var onLinux = () => linux.BeginBundleAsync(ClusterFixture.Alice, "bun-00000003");
        (await onLinux.Should().ThrowAsync<Ec2Exception>()).Which.Code.Should().Be(Ec2ErrorCodes.UnsupportedOperation);

        var bobs = () => linux.BeginBundleAsync(ClusterFixture.Bob, "bun-00000004");
        (await bobs.Should().ThrowAsync<Ec2Exception>()).Which.Code.Should().Be(Ec2ErrorCodes.InvalidInstanceIdNotFound);
    }

    private static BundleTaskDescription Task(string id, BundleTaskState state, int progress, DateTimeOffset now)
        => new(id, ClusterFixture.Alice, "us-west-1", Ec2Ids.NewInstanceId(), "mybucket", "winami", state, now, now, progress, null);
}
