using System.CommandLine;
using System.Text.Json;
using OrleansEc2.Cli.Output;
using OrleansEc2.Cli.Service;

namespace OrleansEc2.Cli.Commands;

/// <summary>
/// <c>ec2sim fault add|list|clear</c>: the account's injected faults, through the simulator's <c>/_sim/faults</c>.
/// Faults are per account and live in the silo process's memory: a restart clears them.
/// </summary>
internal sealed class FaultCommand : BaseCommand
{
    public FaultCommand(CliConsole console)
        : base("fault", "Inject faults for scripted failure tests: fault add, fault list, fault clear.", console)
    {
        Subcommands.Add(new FaultAddCommand(console));
        Subcommands.Add(new FaultListCommand(console));
        Subcommands.Add(new FaultClearCommand(console));
    }

    public override string Usage => "ec2sim fault (add --target TARGET [options] | list | clear [FAULT])";

    protected override Task<int> ExecuteAsync(ParseResult parseResult, CancellationToken cancellationToken)
        => throw CliException.Usage("Give what to do: add, list or clear.");
}

/// <summary><c>FAULT id target remaining code</c>: one armed fault, as <c>/_sim/faults</c> answers it.</summary>
internal static class FaultRecords
{
    public const string Path = "/_sim/faults";

    public static Record Fault(JsonElement fault) => new Record("FAULT")
        .Field("faultId", JsonFields.Text(fault, "faultId"))
        .Field("target", JsonFields.Text(fault, "target"))
        .Field("remaining", Int(fault, "remaining"))
        .Field("code", JsonFields.Text(fault, "code"));

    public static void AddAll(RecordOutput output, JsonElement answer)
    {
        output.Collection("faults");
        if (answer.TryGetProperty("faults", out var faults) && faults.ValueKind == JsonValueKind.Array)
        {
            foreach (var fault in faults.EnumerateArray())
            {
                output.Add("faults", Fault(fault));
            }
        }
    }

    private static int? Int(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.TryGetInt32(out var number) ? number : null;
}

/// <summary><c>ec2sim fault add --target TARGET [--count N] [--code C] [--message M] [--status S] [--bucket B] [--key-prefix P]</c>.</summary>
internal sealed class FaultAddCommand : ServiceCommand
{
    private static readonly Option<string> TargetOption = new("--target", "-t")
    {
        Description = "What fails: ec2:<Action> (ec2:RunInstances), s3:<Operation> (s3:PutObject), "
            + "bundle-task:<waiting-for-shutdown|bundling|storing> or migration:<copying-parts|writing-manifest>.",
        HelpName = "TARGET",
        Required = true,
    };

    private static readonly Option<int?> CountOption = new("--count", "-n")
    {
        Description = "How many times the fault fires before it is gone. Default: 1.",
        HelpName = "N",
    };

    private static readonly Option<string> CodeOption = new("--code")
    {
        Description = "The error code. Default: Unavailable (ec2:), SlowDown (s3:), Server.InternalError (bundle-task:, migration:).",
        HelpName = "CODE",
    };

    private static readonly Option<string> MessageOption = new("--message", "-m")
    {
        Description = "The error message. Default: the code's usual one, or 'Injected fault in <phase>'.",
        HelpName = "MESSAGE",
    };

    private static readonly Option<int?> StatusOption = new("--status")
    {
        Description = "The HTTP status of an ec2: or s3: fault's error. Default: the code's (503 for the default codes).",
        HelpName = "STATUS",
    };

    private static readonly Option<string> BucketOption = new("--bucket", "-b")
    {
        Description = "An s3: fault fires only for requests to this bucket.",
        HelpName = "BUCKET",
    };

    private static readonly Option<string> KeyPrefixOption = new("--key-prefix", "-p")
    {
        Description = "An s3: fault fires only for keys beginning with this prefix.",
        HelpName = "PREFIX",
    };

    public FaultAddCommand(CliConsole console)
        : base("add", "Arm a fault for your account: FAULT id target remaining code.", console)
    {
        Options.Add(TargetOption);
        Options.Add(CountOption);
        Options.Add(CodeOption);
        Options.Add(MessageOption);
        Options.Add(StatusOption);
        Options.Add(BucketOption);
        Options.Add(KeyPrefixOption);
    }

    public override string Usage =>
        "ec2sim fault add --target TARGET [--count N] [--code CODE] [--message MESSAGE] [--status STATUS] [--bucket BUCKET] [--key-prefix PREFIX]";

    protected override async Task<int> RunAsync(ParseResult parseResult, Ec2SimSession session, RecordOutput output, CancellationToken cancellationToken)
    {
        var body = new Dictionary<string, object?> { ["target"] = parseResult.GetRequiredValue(TargetOption) };
        AddIfGiven(body, "count", parseResult.GetValue(CountOption));
        AddIfGiven(body, "code", parseResult.GetValue(CodeOption));
        AddIfGiven(body, "message", parseResult.GetValue(MessageOption));
        AddIfGiven(body, "status", parseResult.GetValue(StatusOption));
        AddIfGiven(body, "bucket", parseResult.GetValue(BucketOption));
        AddIfGiven(body, "keyPrefix", parseResult.GetValue(KeyPrefixOption));
        var fault = await session.Sim().SendJsonAsync(HttpMethod.Post, FaultRecords.Path, JsonSerializer.SerializeToUtf8Bytes(body), "application/json", cancellationToken);
        output.Add("faults", FaultRecords.Fault(fault));
        return ExitCodes.Success;
    }

    private static void AddIfGiven(Dictionary<string, object?> body, string name, object? value)
    {
        if (value is not null)
        {
            body[name] = value;
        }
    }
}

/// <summary><c>ec2sim fault list</c>: the account's armed faults, <c>FAULT id target remaining code</c> each.</summary>
internal sealed class FaultListCommand : ServiceCommand
{
    public FaultListCommand(CliConsole console)
        : base("list", "List your account's armed faults: FAULT id target remaining code.", console)
    {
    }

    public override string Usage => "ec2sim fault list";

    protected override async Task<int> RunAsync(ParseResult parseResult, Ec2SimSession session, RecordOutput output, CancellationToken cancellationToken)
    {
        FaultRecords.AddAll(output, await session.Sim().GetJsonAsync(FaultRecords.Path, cancellationToken));
        return ExitCodes.Success;
    }
}

/// <summary><c>ec2sim fault clear [FAULT]</c>: disarms one fault, or all the account's; prints each disarmed fault's line.</summary>
internal sealed class FaultClearCommand : ServiceCommand
{
    private static readonly Argument<string?> FaultArgument = new("FAULT")
    {
        Description = "The fault (fault-…) to disarm. Default: every fault of your account.",
        Arity = ArgumentArity.ZeroOrOne,
    };

    public FaultClearCommand(CliConsole console)
        : base("clear", "Disarm a fault, or all your account's: FAULT id target remaining code for each.", console)
    {
        Arguments.Add(FaultArgument);
    }

    public override string Usage => "ec2sim fault clear [FAULT]";

    protected override async Task<int> RunAsync(ParseResult parseResult, Ec2SimSession session, RecordOutput output, CancellationToken cancellationToken)
    {
        var sim = session.Sim();
        if (parseResult.GetValue(FaultArgument) is { } id)
        {
            var fault = await sim.SendJsonAsync(HttpMethod.Delete, FaultRecords.Path + "/" + Uri.EscapeDataString(id), null, null, cancellationToken);
            output.Add("faults", FaultRecords.Fault(fault));
            return ExitCodes.Success;
        }

        FaultRecords.AddAll(output, await sim.SendJsonAsync(HttpMethod.Delete, FaultRecords.Path, null, null, cancellationToken));
        return ExitCodes.Success;
    }
}
