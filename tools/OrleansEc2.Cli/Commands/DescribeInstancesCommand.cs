using System.CommandLine;
using Amazon.EC2.Model;
using OrleansEc2.Cli.Output;
using OrleansEc2.Cli.Service;

namespace OrleansEc2.Cli.Commands;

/// <summary><c>ec2-describe-instances [INSTANCE ...]</c>: a <c>RESERVATION</c> line, then its <c>INSTANCE</c> and <c>TAG</c> lines.</summary>
internal sealed class DescribeInstancesCommand : ServiceCommand
{
    private static readonly Argument<string[]> InstancesArgument = new("INSTANCE")
    {
        Description = "The instances to describe. Default: all the account's in the region.",
        Arity = ArgumentArity.ZeroOrMore,
    };

    private static readonly Option<string[]> FilterOption = Filters.CreateOption("instance-state-name=running");

    public DescribeInstancesCommand(CliConsole console)
        : base("ec2-describe-instances", "Describe instances: RESERVATION id owner groups, then INSTANCE and TAG lines.", console)
    {
        AddShortAlias();
        Arguments.Add(InstancesArgument);
        Options.Add(FilterOption);
    }

    public override string Usage => "ec2sim ec2-describe-instances [INSTANCE ...] [-F NAME=VALUE ...]";

    protected override async Task<int> RunAsync(ParseResult parseResult, Ec2SimSession session, RecordOutput output, CancellationToken cancellationToken)
    {
        var request = new DescribeInstancesRequest
        {
            InstanceIds = RequestLists.OrNull(parseResult.GetValue(InstancesArgument)),
            Filters = RequestLists.OrNull(Filters.Parse(parseResult.GetValue(FilterOption))),
        };
        output.Collection("reservations");
        do
        {
            var response = await session.Ec2().DescribeInstancesAsync(request, cancellationToken);
            foreach (var reservation in response.Reservations ?? [])
            {
                output.Add("reservations", Ec2Records.Reservation(reservation));
            }

            request.NextToken = response.NextToken;
        }
        while (!string.IsNullOrEmpty(request.NextToken));

        return ExitCodes.Success;
    }
}
