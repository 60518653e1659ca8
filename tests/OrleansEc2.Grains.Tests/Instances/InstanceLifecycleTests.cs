namespace OrleansEc2.Grains.Tests.Instances;

/// <summary>EC2's instance state table, walked on the fake clock with real durations (boot 5 s, shutdown 3 s).</summary>
[Collection(TimedClusterCollection.Name)]
public sealed class InstanceLifecycleTests(TimedClusterFixture fixture)
{
    private const string Alice = ClusterFixture.Alice;

    [Fact]
    public async Task Run_IsPendingUntilBootCompletes_ThenRunning()
    {
        var instance = await Scenario.RunOneAsync(fixture.Grains);

        (await instance.DescribeAsync(Alice)).State.Should().Be(InstanceStateName.Pending);
        fixture.Time.Advance(TimedClusterFixture.Boot - TimeSpan.FromMilliseconds(1));
        (await instance.DescribeAsync(Alice)).State.Should().Be(InstanceStateName.Pending);
        fixture.Time.Advance(TimeSpan.FromMilliseconds(1));
        (await instance.DescribeAsync(Alice)).State.Should().Be(InstanceStateName.Running);
    }

    [Fact]
    public async Task TheIndex_SeesACompletedBootWithoutTheInstanceBeingAsked()
    {
        var instance = await Scenario.RunOneAsync(fixture.Grains);
        var id = instance.GetPrimaryKeyString();

        (await Scenario.DescribeAsync(fixture.Grains, id)).State.Should().Be(InstanceStateName.Pending);
        fixture.Time.Advance(TimedClusterFixture.Boot);

        var described = await Scenario.DescribeAsync(fixture.Grains, id);
        described.State.Should().Be(InstanceStateName.Running);
        described.State.ToCode().Should().Be(16);
    }

    [Fact]
    public async Task StopThenStart_GoesStoppingStoppedPendingRunning()
    {
        var instance = await RunningAsync();

        var stop = await instance.StopAsync(Alice, force: false);
        stop.Should().Be(new InstanceStateChange(instance.GetPrimaryKeyString(), InstanceStateName.Running, InstanceStateName.Stopping));
        fixture.Time.Advance(TimedClusterFixture.Shutdown);
        (await instance.DescribeAsync(Alice)).State.Should().Be(InstanceStateName.Stopped);

        var start = await instance.StartAsync(Alice);
        start.Should().Be(new InstanceStateChange(instance.GetPrimaryKeyString(), InstanceStateName.Stopped, InstanceStateName.Pending));
        fixture.Time.Advance(TimedClusterFixture.Boot);
        (await instance.DescribeAsync(Alice)).State.Should().Be(InstanceStateName.Running);
    }

    [Fact]
    public async Task StopAndStart_KeepTheMachineIdentity()
    {
        var instance = await RunningAsync();
        var before = await instance.DescribeAsync(Alice);

        await instance.StopAsync(Alice, force: false);
        fixture.Time.Advance(TimedClusterFixture.Shutdown);
        await instance.StartAsync(Alice);
        fixture.Time.Advance(TimedClusterFixture.Boot);
        var after = await instance.DescribeAsync(Alice);

        (after.ComputerName, after.MacAddress, after.Sid, after.PrivateIpAddress).Should().Be((before.ComputerName, before.MacAddress, before.Sid, before.PrivateIpAddress));
    }

    [Fact]
    public async Task ForcedStop_IsStoppedAtOnce()
    {
        var instance = await RunningAsync();

        await instance.StopAsync(Alice, force: true);

        (await instance.DescribeAsync(Alice)).State.Should().Be(InstanceStateName.Stopped);
    }

    [Fact]
    public async Task Terminate_GoesShuttingDownThenTerminated_AndStaysListedForTheRetention()
    {
        var instance = await RunningAsync();
        var id = instance.GetPrimaryKeyString();

        var change = await instance.TerminateAsync(Alice);
        change.Current.Should().Be(InstanceStateName.ShuttingDown);
        change.Current.ToCode().Should().Be(32);
        fixture.Time.Advance(TimedClusterFixture.Shutdown);
        (await Scenario.DescribeAsync(fixture.Grains, id)).State.Should().Be(InstanceStateName.Terminated);

        fixture.Time.Advance(TimedClusterFixture.TerminatedRetention);
        var gone = () => Scenario.DescribeAsync(fixture.Grains, id);
        (await gone.Should().ThrowAsync<Ec2Exception>()).Which.Code.Should().Be(Ec2ErrorCodes.InvalidInstanceIdNotFound);
    }

    [Fact]
    public async Task Idempotent_RepeatedMoves_ReportTheCurrentState()
    {
        var instance = await RunningAsync();

        (await instance.StartAsync(Alice)).Should().Be(new InstanceStateChange(instance.GetPrimaryKeyString(), InstanceStateName.Running, InstanceStateName.Running));
        await instance.StopAsync(Alice, force: false);
        (await instance.StopAsync(Alice, force: false)).Current.Should().Be(InstanceStateName.Stopping);
        fixture.Time.Advance(TimedClusterFixture.Shutdown);
        (await instance.StopAsync(Alice, force: false)).Should().Be(new InstanceStateChange(instance.GetPrimaryKeyString(), InstanceStateName.Stopped, InstanceStateName.Stopped));
        await instance.TerminateAsync(Alice);
        (await instance.TerminateAsync(Alice)).Current.Should().Be(InstanceStateName.ShuttingDown);
        fixture.Time.Advance(TimedClusterFixture.Shutdown);
        (await instance.TerminateAsync(Alice)).Should().Be(new InstanceStateChange(instance.GetPrimaryKeyString(), InstanceStateName.Terminated, InstanceStateName.Terminated));
    }

    [Fact]
    public async Task StopWhilePending_FailsWithIncorrectInstanceState()
    {
        var instance = await Scenario.RunOneAsync(fixture.Grains);

        await ShouldBeIncorrectState(() => instance.StopAsync(Alice, force: false));
    }

    [Fact]
    public async Task StartWhileStopping_FailsWithIncorrectInstanceState()
    {
        var instance = await RunningAsync();
        await instance.StopAsync(Alice, force: false);

        await ShouldBeIncorrectState(() => instance.StartAsync(Alice));
    }

    [Fact]
    public async Task RebootUnlessRunning_FailsWithIncorrectInstanceState()
    {
        var instance = await Scenario.RunOneAsync(fixture.Grains);
        await ShouldBeIncorrectState(() => instance.RebootAsync(Alice));

        fixture.Time.Advance(TimedClusterFixture.Boot);
        await instance.RebootAsync(Alice);
        (await instance.DescribeAsync(Alice)).State.Should().Be(InstanceStateName.Running);

        await instance.StopAsync(Alice, force: false);
        await ShouldBeIncorrectState(() => instance.RebootAsync(Alice));
        fixture.Time.Advance(TimedClusterFixture.Shutdown);
        await ShouldBeIncorrectState(() => instance.RebootAsync(Alice));
    }

    [Fact]
    public async Task ShuttingDownOrTerminated_CannotBeStartedStoppedOrRebooted()
    {
        var instance = await RunningAsync();
        await instance.TerminateAsync(Alice);

        await ShouldBeIncorrectState(() => instance.StartAsync(Alice));
        await ShouldBeIncorrectState(() => instance.StopAsync(Alice, force: false));
        await ShouldBeIncorrectState(() => instance.RebootAsync(Alice));
        fixture.Time.Advance(TimedClusterFixture.Shutdown);
        await ShouldBeIncorrectState(() => instance.StartAsync(Alice));
        await ShouldBeIncorrectState(() => instance.StopAsync(Alice, force: false));
        await ShouldBeIncorrectState(() => instance.RebootAsync(Alice));
    }

    [Fact]
    public async Task StoppedInstance_CanBeTerminated()
    {
        var instance = await RunningAsync();
        await instance.StopAsync(Alice, force: true);

        (await instance.TerminateAsync(Alice)).Should().Be(new InstanceStateChange(instance.GetPrimaryKeyString(), InstanceStateName.Stopped, InstanceStateName.ShuttingDown));
    }

    [Fact]
    public async Task PendingInstance_CanBeTerminated()
    {
        var instance = await Scenario.RunOneAsync(fixture.Grains);

        (await instance.TerminateAsync(Alice)).Previous.Should().Be(InstanceStateName.Pending);
    }

    [Fact]
    public async Task PasswordData_IsEmptyUntilBootCompletes()
    {
        var key = await Scenario.Index(fixture.Grains).CreateKeyPairAsync(Scenario.Unique("key"));
        var instance = await Scenario.RunOneAsync(fixture.Grains, keyName: key.KeyPair.KeyName);

        (await instance.GetPasswordDataAsync(Alice)).EncryptedPassword.Should().BeEmpty();
        fixture.Time.Advance(TimedClusterFixture.Boot);
        (await instance.GetPasswordDataAsync(Alice)).EncryptedPassword.Should().NotBeEmpty();
    }

    private async Task<IInstanceGrain> RunningAsync()
    {
        var instance = await Scenario.RunOneAsync(fixture.Grains);
        fixture.Time.Advance(TimedClusterFixture.Boot);
        (await instance.DescribeAsync(Alice)).State.Should().Be(InstanceStateName.Running);
        return instance;
    }

    private static async Task ShouldBeIncorrectState(Func<Task> act)
    {
        (await act.Should().ThrowAsync<Ec2Exception>()).Which.Code.Should().Be(Ec2ErrorCodes.IncorrectInstanceState);
    }
}
