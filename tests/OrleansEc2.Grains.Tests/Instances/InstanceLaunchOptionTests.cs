using System.Collections.Immutable;
using System.Text;

namespace OrleansEc2.Grains.Tests.Instances;

/// <summary>
/// The launch options an instance keeps (groups, user data, termination protection, shutdown behavior) and what the
/// instance grain does with them, on the fake clock with real durations (boot 5 s, shutdown 3 s).
/// </summary>
[Collection(TimedClusterCollection.Name)]
public sealed class InstanceLaunchOptionTests(TimedClusterFixture fixture)
{
    private const string Alice = ClusterFixture.Alice;

    private static readonly Caller AliceUs = new(Alice, ClusterFixture.UsEast1);

    [Fact]
    public async Task GuestShutdown_WithStopBehavior_GoesStoppingThenStopped_AndStartsAgain()
    {
        var instance = await RunningAsync(ShutdownBehavior.Stop);
        var id = instance.GetPrimaryKeyString();
        var at = fixture.Time.GetUtcNow();

        var change = await instance.InitiateShutdownAsync(Alice);
        var stopping = await instance.DescribeAsync(Alice);
        fixture.Time.Advance(TimedClusterFixture.Shutdown);
        var stopped = await instance.DescribeAsync(Alice);
        var start = await instance.StartAsync(Alice);

        change.Should().Be(new InstanceStateChange(id, InstanceStateName.Running, InstanceStateName.Stopping));
        stopping.State.Should().Be(InstanceStateName.Stopping);
        stopped.State.Should().Be(InstanceStateName.Stopped);
        stopped.StateTransitionReason.Should().Be($"Instance initiated shutdown ({at.UtcDateTime:yyyy'-'MM'-'dd' 'HH':'mm':'ss} GMT)");
        start.Should().Be(new InstanceStateChange(id, InstanceStateName.Stopped, InstanceStateName.Pending));
    }

    [Fact]
    public async Task GuestShutdown_WithTerminateBehavior_GoesShuttingDownThenTerminated()
    {
        var instance = await RunningAsync(ShutdownBehavior.Terminate);
        var id = instance.GetPrimaryKeyString();

        var change = await instance.InitiateShutdownAsync(Alice);
        var shuttingDown = await instance.DescribeAsync(Alice);
        fixture.Time.Advance(TimedClusterFixture.Shutdown);
        var terminated = await Scenario.DescribeAsync(fixture.Grains, id);

        change.Should().Be(new InstanceStateChange(id, InstanceStateName.Running, InstanceStateName.ShuttingDown));
        shuttingDown.State.Should().Be(InstanceStateName.ShuttingDown);
        terminated.State.Should().Be(InstanceStateName.Terminated);
        terminated.StateTransitionReason.Should().StartWith(ShutdownBehaviors.InstanceInitiatedReason + " (");
    }

    [Fact]
    public async Task GuestShutdown_OfAProtectedInstanceThatTerminates_Terminates_ProtectionGuardsOnlyTheApi()
    {
        var instance = await RunningAsync(ShutdownBehavior.Terminate, disableApiTermination: true);

        var change = await instance.InitiateShutdownAsync(Alice);

        change.Current.Should().Be(InstanceStateName.ShuttingDown);
    }

    [Fact]
    public async Task GuestShutdown_WhileBooting_FailsWithIncorrectInstanceState()
    {
        var instance = await LaunchAsync(ShutdownBehavior.Stop);

        var act = () => instance.InitiateShutdownAsync(Alice);

        var error = (await act.Should().ThrowAsync<Ec2Exception>()).Which;
        error.Code.Should().Be(Ec2ErrorCodes.IncorrectInstanceState);
        error.Message.Should().Be($"The instance '{instance.GetPrimaryKeyString()}' is not in a state from which it can be shut down from inside: it is pending.");
    }

    [Fact]
    public async Task ChangedShutdownBehavior_DecidesTheNextGuestShutdown()
    {
        var instance = await RunningAsync(ShutdownBehavior.Stop);

        var modified = await instance.ModifyAttributeAsync(Alice, new InstanceAttributeChange(InstanceInitiatedShutdownBehavior: ShutdownBehavior.Terminate));
        var change = await instance.InitiateShutdownAsync(Alice);

        modified.InstanceInitiatedShutdownBehavior.Should().Be(ShutdownBehavior.Terminate);
        change.Current.Should().Be(InstanceStateName.ShuttingDown);
    }

    [Fact]
    public async Task Terminate_WhileProtected_FailsWithOperationNotPermitted_UntilProtectionIsLifted()
    {
        var instance = await RunningAsync(ShutdownBehavior.Stop, disableApiTermination: true);
        var id = instance.GetPrimaryKeyString();

        var refused = () => instance.TerminateAsync(Alice);
        var error = (await refused.Should().ThrowAsync<Ec2Exception>()).Which;
        var stillRunning = await instance.DescribeAsync(Alice);
        var lifted = await instance.ModifyAttributeAsync(Alice, new InstanceAttributeChange(DisableApiTermination: false));
        var change = await instance.TerminateAsync(Alice);

        error.Code.Should().Be(Ec2ErrorCodes.OperationNotPermitted);
        error.Message.Should().Be($"The instance '{id}' may not be terminated. Modify its 'disableApiTermination' instance attribute and try again.");
        stillRunning.State.Should().Be(InstanceStateName.Running);
        lifted.DisableApiTermination.Should().BeFalse();
        (await Scenario.DescribeAsync(fixture.Grains, id)).State.Should().Be(InstanceStateName.ShuttingDown);
        change.Should().Be(new InstanceStateChange(id, InstanceStateName.Running, InstanceStateName.ShuttingDown));
    }

    [Fact]
    public async Task UserData_IsKeptCanonical_AndChangesOnlyWhileStopped()
    {
        var instance = await RunningAsync(ShutdownBehavior.Stop, userData: "aGVs\nbG8=");

        var launched = await instance.DescribeUserDataAsync(Alice);
        var whileRunning = () => instance.ModifyAttributeAsync(Alice, new InstanceAttributeChange(UserData: "Ynll"));
        var runningError = (await whileRunning.Should().ThrowAsync<Ec2Exception>()).Which;
        await instance.StopAsync(Alice, force: true);
        await instance.ModifyAttributeAsync(Alice, new InstanceAttributeChange(UserData: "Ynll"));
        var changed = await instance.DescribeUserDataAsync(Alice);

        launched.Should().Be("aGVsbG8=");
        Encoding.UTF8.GetString(Convert.FromBase64String(launched!)).Should().Be("hello");
        runningError.Code.Should().Be(Ec2ErrorCodes.IncorrectInstanceState);
        changed.Should().Be("Ynll");
    }

    [Fact]
    public async Task ModifyAttribute_NoneOrTwoAttributes_FailsWithInvalidParameterCombination()
    {
        var instance = await RunningAsync(ShutdownBehavior.Stop);

        var none = () => instance.ModifyAttributeAsync(Alice, new InstanceAttributeChange());
        var two = () => instance.ModifyAttributeAsync(Alice, new InstanceAttributeChange(DisableApiTermination: true, EbsOptimized: true));

        (await none.Should().ThrowAsync<Ec2Exception>()).Which.Code.Should().Be(Ec2ErrorCodes.InvalidParameterCombination);
        var twoError = (await two.Should().ThrowAsync<Ec2Exception>()).Which;
        twoError.Code.Should().Be(Ec2ErrorCodes.InvalidParameterCombination);
        twoError.Message.Should().Be("Fields for multiple attribute types specified: disableApiTermination, ebsOptimized");
        (await instance.DescribeAsync(Alice)).DisableApiTermination.Should().BeFalse();
    }

    [Fact]
    public async Task ModifyAttribute_OfAnotherAccountsInstance_FailsAsNotFound()
    {
        var instance = await RunningAsync(ShutdownBehavior.Stop);

        var act = () => instance.ModifyAttributeAsync(ClusterFixture.Bob, new InstanceAttributeChange(DisableApiTermination: true));

        (await act.Should().ThrowAsync<Ec2Exception>()).Which.Code.Should().Be(Ec2ErrorCodes.InvalidInstanceIdNotFound);
    }

    [Fact]
    public async Task Run_InTheDefaultGroup_RecordsItOnTheReservationAndEachInstance()
    {
        var defaultGroup = ClassicSecurityGroups.Default(Alice, ClusterFixture.UsEast1);

        var reservation = await RunAsync(await RequestAsync() with { SecurityGroupNames = ["default"], SecurityGroupIds = [defaultGroup.GroupId], MaxCount = 2, MinCount = 2 });

        defaultGroup.GroupId.Should().MatchRegex("^sg-[0-9a-f]{17}$");
        reservation.Groups.Should().Equal(defaultGroup);
        reservation.Instances.Should().OnlyContain(i => i.SecurityGroups.SequenceEqual(new[] { defaultGroup }));
        (await Scenario.DescribeAsync(fixture.Grains, reservation.Instances[1].InstanceId)).SecurityGroups.Should().Equal(defaultGroup);
    }

    [Theory]
    [InlineData("web", null, Ec2ErrorCodes.InvalidGroupNotFound)]
    [InlineData(null, "sg-0123456789abcdef0", Ec2ErrorCodes.InvalidGroupNotFound)]
    [InlineData(null, "default", Ec2ErrorCodes.InvalidGroupIdMalformed)]
    public async Task Run_InAGroupThatDoesNotExist_FailsAndLaunchesNothing(string? name, string? id, string code)
    {
        var token = Scenario.Unique("token");
        var request = await RequestAsync() with
        {
            ClientToken = token,
            SecurityGroupNames = name is null ? [] : [name],
            SecurityGroupIds = id is null ? [] : [id],
        };

        var act = () => RunAsync(request);

        (await act.Should().ThrowAsync<Ec2Exception>()).Which.Code.Should().Be(code);
        var page = await Scenario.Index(fixture.Grains).DescribeInstancesAsync(new InstanceQuery([], [new Ec2Filter("client-token", [token])], null, null));
        page.Instances.Should().BeEmpty();
    }

    [Fact]
    public async Task Run_SameClientTokenOtherShutdownBehavior_FailsWithIdempotentParameterMismatch()
    {
        var request = await RequestAsync() with { ClientToken = Scenario.Unique("token") };
        await RunAsync(request);

        var same = await RunAsync(request);
        var act = () => RunAsync(request with { InstanceInitiatedShutdownBehavior = ShutdownBehavior.Terminate });

        same.Instances.Should().ContainSingle();
        (await act.Should().ThrowAsync<Ec2Exception>()).Which.Code.Should().Be(Ec2ErrorCodes.IdempotentParameterMismatch);
    }

    private async Task<RunInstancesRequest> RequestAsync()
        => new(AliceUs, await Scenario.PublicImageAsync(fixture.Grains, Platform.Windows), 1, 1, "m1.small", null, null, null, []);

    private Task<Reservation> RunAsync(RunInstancesRequest request)
        => fixture.Grains.GetGrain<IReservationGrain>(Ec2Ids.NewReservationId()).RunInstancesAsync(request);

    private async Task<IInstanceGrain> LaunchAsync(ShutdownBehavior behavior, bool disableApiTermination = false, string? userData = null)
    {
        var reservation = await RunAsync(await RequestAsync() with
        {
            InstanceInitiatedShutdownBehavior = behavior,
            DisableApiTermination = disableApiTermination,
            UserData = userData,
            SecurityGroupNames = ImmutableArray<string>.Empty,
        });
        return fixture.Grains.GetGrain<IInstanceGrain>(reservation.Instances.Single().InstanceId);
    }

    private async Task<IInstanceGrain> RunningAsync(ShutdownBehavior behavior, bool disableApiTermination = false, string? userData = null)
    {
        var instance = await LaunchAsync(behavior, disableApiTermination, userData);
        fixture.Time.Advance(TimedClusterFixture.Boot);
        (await instance.DescribeAsync(Alice)).State.Should().Be(InstanceStateName.Running);
        return instance;
    }
}
