using System.CommandLine;
using Amazon.EC2.Model;
using OrleansEc2.Cli.Output;
using OrleansEc2.Cli.Service;
using OrleansEc2.Cli.Waiting;

namespace OrleansEc2.Cli.Commands;

/// <summary>
/// Start, stop or terminate instances: an <c>INSTANCE id previous current</c> line each; with <c>--wait</c>, the state
/// changes until each reaches the end state.
/// </summary>
internal abstract class InstanceStateCommand : ServiceCommand
{
    // Per command, not static: the three commands share this class, and a symbol has one parent.
    private readonly Option<bool> _waitOption = new("--wait")
    {
        Description = "Wait until the instances reach the end state, showing their states.",
    };

    private readonly Argument<string[]> _instancesArgument = new("INSTANCE")
    {
        Description = "The instances.",
        Arity = ArgumentArity.OneOrMore,
    };

    protected InstanceStateCommand(string name, string description, CliConsole console)
        : base(name, description, console)
    {
        AddShortAlias();
        Arguments.Add(_instancesArgument);
        Options.Add(_waitOption);
    }

    public override string Usage => $"ec2sim {Name} INSTANCE [INSTANCE ...] [--wait]";

    /// <summary>The state <c>--wait</c> waits for.</summary>
    protected abstract string EndState { get; }

    protected abstract Task<List<InstanceStateChange>> ChangeAsync(Ec2SimSession session, List<string> instanceIds, CancellationToken cancellationToken);

    protected sealed override async Task<int> RunAsync(ParseResult parseResult, Ec2SimSession session, RecordOutput output, CancellationToken cancellationToken)
    {
        var ids = (parseResult.GetValue(_instancesArgument) ?? []).ToList();
        var changes = await ChangeAsync(session, ids, cancellationToken);
        var records = changes.Select(c => Ec2Records.StateChange(c.InstanceId, c.PreviousState?.Name?.Value, c.CurrentState?.Name?.Value)).ToList();
        output.Collection("instances");
        if (!parseResult.GetValue(_waitOption))
        {
            records.ForEach(r => output.Add("instances", r));
            return ExitCodes.Success;
        }

        records.ForEach(output.Progress);
        var previous = changes.ToDictionary(c => c.InstanceId, c => c.PreviousState?.Name?.Value, StringComparer.Ordinal);
        var settled = await InstanceWaiter.WaitAsync(
            Console,
            session,
            output,
            changes.ToDictionary(c => c.InstanceId, c => c.CurrentState?.Name?.Value ?? "unknown", StringComparer.Ordinal),
            EndState,
            cancellationToken);
        if (output.IsJson)
        {
            foreach (var instance in settled)
            {
                output.Add("instances", Ec2Records.StateChange(instance.InstanceId, previous.GetValueOrDefault(instance.InstanceId), instance.State?.Name?.Value));
            }
        }

        return ExitCodes.Success;
    }
}

/// <summary><c>ec2-stop-instances INSTANCE ...</c>.</summary>
internal sealed class StopInstancesCommand(CliConsole console)
    : InstanceStateCommand("ec2-stop-instances", "Stop instances: INSTANCE id previous-state current-state.", console)
{
    protected override string EndState => "stopped";

    protected override async Task<List<InstanceStateChange>> ChangeAsync(Ec2SimSession session, List<string> instanceIds, CancellationToken cancellationToken) =>
        (await session.Ec2().StopInstancesAsync(new StopInstancesRequest { InstanceIds = instanceIds }, cancellationToken)).StoppingInstances ?? [];
}

/// <summary><c>ec2-start-instances INSTANCE ...</c>.</summary>
internal sealed class StartInstancesCommand(CliConsole console)
    : InstanceStateCommand("ec2-start-instances", "Start stopped instances: INSTANCE id previous-state current-state.", console)
{
    protected override string EndState => "running";

    protected override async Task<List<InstanceStateChange>> ChangeAsync(Ec2SimSession session, List<string> instanceIds, CancellationToken cancellationToken) =>
        (await session.Ec2().StartInstancesAsync(new StartInstancesRequest { InstanceIds = instanceIds }, cancellationToken)).StartingInstances ?? [];
}

/// <summary><c>ec2-terminate-instances INSTANCE ...</c>.</summary>
internal sealed class TerminateInstancesCommand(CliConsole console)
    : InstanceStateCommand("ec2-terminate-instances", "Terminate instances: INSTANCE id previous-state current-state.", console)
{
    protected override string EndState => "terminated";

    protected override async Task<List<InstanceStateChange>> ChangeAsync(Ec2SimSession session, List<string> instanceIds, CancellationToken cancellationToken) =>
        (await session.Ec2().TerminateInstancesAsync(new TerminateInstancesRequest { InstanceIds = instanceIds }, cancellationToken)).TerminatingInstances ?? [];
}

/// <summary><c>ec2-reboot-instances INSTANCE ...</c>: prints nothing when it succeeds, as the classic tool did.</summary>
internal sealed class RebootInstancesCommand : ServiceCommand
{
    private static readonly Argument<string[]> InstancesArgument = new("INSTANCE")
    {
        Description = "The running instances to reboot.",
        Arity = ArgumentArity.OneOrMore,
    };

    public RebootInstancesCommand(CliConsole console)
        : base("ec2-reboot-instances", "Reboot running instances (prints nothing when it succeeds).", console)
    {
        AddShortAlias();
        Arguments.Add(InstancesArgument);
    }

    public override string Usage => "ec2sim ec2-reboot-instances INSTANCE [INSTANCE ...]";

    protected override async Task<int> RunAsync(ParseResult parseResult, Ec2SimSession session, RecordOutput output, CancellationToken cancellationToken)
    {
        var ids = (parseResult.GetValue(InstancesArgument) ?? []).ToList();
        await session.Ec2().RebootInstancesAsync(new RebootInstancesRequest { InstanceIds = ids }, cancellationToken);
        output.Value("rebooted", ids);
        return ExitCodes.Success;
    }
}
