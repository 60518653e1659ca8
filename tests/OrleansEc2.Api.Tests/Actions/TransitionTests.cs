using Amazon.EC2.Model;
using OrleansEc2.Api.Tests.Infrastructure;

namespace OrleansEc2.Api.Tests.Actions;

/// <summary>States that move with the simulated clock, seen through DescribeInstances (whose answers are cached).</summary>
[Collection(TimedApiSiloCollection.Name)]
public sealed class TransitionTests(TimedApiSiloFixture silo)
{
    [Fact]
    public async Task DescribeInstances_AsTheClockPassesTheBoot_ShowsPendingThenRunning()
    {
        using var ec2 = silo.Alices();
        var marker = Ec2Scenario.UniqueName("boot");
        var id = (await Ec2Scenario.RunAsync(ec2, tags: [new Amazon.EC2.Model.Tag("Marker", marker)])).Single().InstanceId;
        var query = new DescribeInstancesRequest { Filters = [new Filter("tag:Marker", [marker])] };

        var booting = await ec2.DescribeInstancesAsync(query);
        var bootingAgain = await ec2.DescribeInstancesAsync(query);
        silo.Time.Advance(TimedApiSiloFixture.Boot);
        var booted = await ec2.DescribeInstancesAsync(query);

        booting.Reservations.Single().Instances.Single().State.Name.Value.Should().Be("pending");
        bootingAgain.Reservations.Single().Instances.Single().State.Name.Value.Should().Be("pending");
        booted.Reservations.Single().Instances.Single().State.Name.Value.Should().Be("running");
        (await Ec2Scenario.DescribeAsync(ec2, id)).State.Code.Should().Be(16);
    }

    [Fact]
    public async Task StopInstances_ThenTheShutdownPasses_ShowsStoppingThenStopped()
    {
        using var ec2 = silo.Alices();
        var id = (await Ec2Scenario.RunAsync(ec2)).Single().InstanceId;
        silo.Time.Advance(TimedApiSiloFixture.Boot);

        var stop = await ec2.StopInstancesAsync(new StopInstancesRequest { InstanceIds = [id] });
        var stopping = await Ec2Scenario.DescribeAsync(ec2, id);
        var status = await ec2.DescribeInstanceStatusAsync(new DescribeInstanceStatusRequest { InstanceIds = [id], IncludeAllInstances = true });
        silo.Time.Advance(TimedApiSiloFixture.Shutdown);
        var stopped = await Ec2Scenario.DescribeAsync(ec2, id);

        stop.StoppingInstances.Single().CurrentState.Name.Value.Should().Be("stopping");
        stopping.State.Name.Value.Should().Be("stopping");
        status.InstanceStatuses.Single().InstanceState.Name.Value.Should().Be("stopping");
        stopped.State.Name.Value.Should().Be("stopped");
    }
}
