using Amazon.EC2.Model;
using OrleansEc2.Cli.Output;
using OrleansEc2.Cli.Service;

namespace OrleansEc2.Cli.Waiting;

/// <summary>
/// Waits for instances to reach a state (running, stopped, terminated), showing each state change as the classic
/// <c>INSTANCE id previous current</c> line; an instance that lands in a state it cannot leave for the target fails
/// the wait.
/// </summary>
internal static class InstanceWaiter
{
    public static async Task<IReadOnlyList<Instance>> WaitAsync(
        CliConsole console,
        Ec2SimSession session,
        RecordOutput output,
        IReadOnlyDictionary<string, string> currentStates,
        string target,
        CancellationToken cancellationToken)
    {
        var last = new Dictionary<string, string>(currentStates, StringComparer.Ordinal);
        var initial = currentStates.ToDictionary(
            s => s.Key,
            s => Status(s.Key, s.Value, s.Value, target),
            StringComparer.Ordinal);
        var ids = currentStates.Keys.ToList();
        var instances = await Waiter.WaitAsync(
            console,
            output,
            initial,
            async token =>
            {
                var response = await session.Ec2().DescribeInstancesAsync(new DescribeInstancesRequest { InstanceIds = ids }, token);
                return (IReadOnlyList<Instance>)(response.Reservations ?? []).SelectMany(r => r.Instances ?? []).ToList();
            },
            instance =>
            {
                var current = instance.State?.Name?.Value ?? "unknown";
                var previous = last.GetValueOrDefault(instance.InstanceId, current);
                last[instance.InstanceId] = current;
                return (instance.InstanceId, Status(instance.InstanceId, previous, current, target));
            },
            cancellationToken);

        var failures = instances
            .Select(i => (i.InstanceId, State: i.State?.Name?.Value ?? "unknown"))
            .Where(i => i.State != target)
            .ToList();
        if (failures.Count > 0)
        {
            throw new CliException(
                ExitCodes.Failure,
                string.Join(" ", failures.Select(f => $"Instance {f.InstanceId} is {f.State}: it will not become {target}.")));
        }

        return instances;
    }

    private static WaitStatus Status(string instanceId, string previous, string current, string target)
    {
        var settled = current == target || IsDeadEnd(current, target);
        return new WaitStatus($"{instanceId} {current}", null, settled, Ec2Records.StateChange(instanceId, previous, current));
    }

    /// <summary>A state from which the instance will not reach the target without another request.</summary>
    private static bool IsDeadEnd(string state, string target) => target switch
    {
        "running" => state is "stopped" or "terminated" or "shutting-down",
        "stopped" => state is "running" or "terminated" or "shutting-down",
        _ => false,
    };
}
