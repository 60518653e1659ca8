using System.CommandLine;
using System.Globalization;
using Amazon.EC2.Model;
using OrleansEc2.Cli.Output;
using OrleansEc2.Cli.Service;
using OrleansEc2.Cli.Waiting;

namespace OrleansEc2.Cli.Commands;

/// <summary>
/// <c>ec2-run-instances AMI [-n MIN[-MAX]] [-k KEYPAIR] [-t TYPE] [-z ZONE] [--wait]</c>: launches instances and prints
/// the reservation (<c>RESERVATION</c>, then an <c>INSTANCE</c> line each).
/// </summary>
internal sealed class RunInstancesCommand : ServiceCommand
{
    private static readonly Argument<string> ImageArgument = new("AMI")
    {
        Description = "The image to launch.",
    };

    private static readonly Option<string> CountOption = new("--instance-count", "-n")
    {
        Description = "How many instances: COUNT, or MIN-MAX to launch as many as possible between them. Default: 1.",
        HelpName = "MIN[-MAX]",
    };

    private static readonly Option<string> KeyOption = new("--key", "-k")
    {
        Description = "The key pair whose public key seals the Windows administrator password (ec2-get-password -k decrypts it).",
        HelpName = "KEYPAIR",
    };

    private static readonly Option<string> TypeOption = new("--instance-type", "-t")
    {
        Description = "The instance type. Default: m1.small.",
        HelpName = "TYPE",
    };

    private static readonly Option<string> ZoneOption = new("--availability-zone", "-z")
    {
        Description = "The availability zone. Default: one the region picks.",
        HelpName = "ZONE",
    };

    private static readonly Option<string[]> GroupOption = new("--group", "-g")
    {
        Description = "The security group: only 'default' is accepted. The simulator has no security groups (its RunInstances refuses SecurityGroup parameters); every instance is in the default one.",
        HelpName = "GROUP",
        Arity = ArgumentArity.OneOrMore,
    };

    private static readonly Option<string> ClientTokenOption = new("--client-token")
    {
        Description = "A token that makes the launch idempotent: the same token launches once.",
        HelpName = "TOKEN",
    };

    private static readonly Option<string[]> TagOption = new("--tag")
    {
        Description = "A tag for the new instances, KEY or KEY=VALUE (repeatable).",
        HelpName = "KEY[=VALUE]",
        Arity = ArgumentArity.OneOrMore,
    };

    private static readonly Option<bool> WaitOption = new("--wait")
    {
        Description = "Wait until the instances are running, showing their states.",
    };

    public RunInstancesCommand(CliConsole console)
        : base("ec2-run-instances", "Launch instances of an image: RESERVATION id owner groups, then INSTANCE lines.", console)
    {
        AddShortAlias();
        Arguments.Add(ImageArgument);
        Options.Add(CountOption);
        Options.Add(KeyOption);
        Options.Add(TypeOption);
        Options.Add(ZoneOption);
        Options.Add(GroupOption);
        Options.Add(ClientTokenOption);
        Options.Add(TagOption);
        Options.Add(WaitOption);
    }

    public override string Usage =>
        "ec2sim ec2-run-instances AMI [-n MIN[-MAX]] [-k KEYPAIR] [-t TYPE] [-z ZONE] [-g default] [--client-token TOKEN] [--tag KEY[=VALUE] ...] [--wait]";

    protected override async Task<int> RunAsync(ParseResult parseResult, Ec2SimSession session, RecordOutput output, CancellationToken cancellationToken)
    {
        var (min, max) = ParseCount(parseResult.GetValue(CountOption));
        foreach (var group in parseResult.GetValue(GroupOption) ?? [])
        {
            if (group != "default")
            {
                throw CliException.Usage(
                    $"Invalid value for --group: '{group}'. The simulator has no security groups (RunInstances refuses SecurityGroup parameters): "
                    + "every instance is in the default group, so leave -g out or give '-g default'.");
            }
        }

        var tags = (parseResult.GetValue(TagOption) ?? []).Select(t => TagArguments.Parse(t, valueRequired: true)).ToList();
        var request = new RunInstancesRequest
        {
            ImageId = parseResult.GetRequiredValue(ImageArgument),
            MinCount = min,
            MaxCount = max,
            KeyName = parseResult.GetValue(KeyOption),
            InstanceType = parseResult.GetValue(TypeOption),
            Placement = parseResult.GetValue(ZoneOption) is { } zone ? new Placement { AvailabilityZone = zone } : null,
            ClientToken = parseResult.GetValue(ClientTokenOption),
            TagSpecifications = tags.Count > 0 ? [new TagSpecification { ResourceType = "instance", Tags = tags }] : null,
        };
        var reservation = (await session.Ec2().RunInstancesAsync(request, cancellationToken)).Reservation;
        var instances = reservation.Instances ?? [];

        if (!parseResult.GetValue(WaitOption))
        {
            output.Add("reservations", Ec2Records.Reservation(reservation));
            return ExitCodes.Success;
        }

        output.Progress(Ec2Records.Reservation(reservation));
        var running = await InstanceWaiter.WaitAsync(
            Console,
            session,
            output,
            instances.ToDictionary(i => i.InstanceId, i => i.State?.Name?.Value ?? "pending"),
            "running",
            cancellationToken);
        if (output.IsJson)
        {
            output.Add("reservations", Ec2Records.Reservation(reservation.ReservationId, reservation.OwnerId, reservation.Groups, [.. running]));
        }

        return ExitCodes.Success;
    }

    private static (int Min, int Max) ParseCount(string? text)
    {
        if (text is null)
        {
            return (1, 1);
        }

        var parts = text.Split('-');
        if (parts.Length is 1 or 2
            && int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var min)
            && int.TryParse(parts[^1], NumberStyles.None, CultureInfo.InvariantCulture, out var max)
            && min >= 1 && max >= min)
        {
            return (min, max);
        }

        throw CliException.Usage($"Invalid value for --instance-count: '{text}' is not COUNT or MIN-MAX (at least 1, MIN not above MAX).");
    }
}
