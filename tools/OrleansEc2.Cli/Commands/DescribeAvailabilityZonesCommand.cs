using System.CommandLine;
using Amazon.EC2.Model;
using OrleansEc2.Cli.Output;
using OrleansEc2.Cli.Service;

namespace OrleansEc2.Cli.Commands;

/// <summary><c>ec2-describe-availability-zones [ZONE ...]</c>: <c>AVAILABILITYZONE name state region</c> lines.</summary>
internal sealed class DescribeAvailabilityZonesCommand : ServiceCommand
{
    private static readonly Argument<string[]> ZonesArgument = new("ZONE")
    {
        Description = "The zones to describe. Default: all the region's.",
        Arity = ArgumentArity.ZeroOrMore,
    };

    private static readonly Option<string[]> FilterOption = Filters.CreateOption("state=available");

    public DescribeAvailabilityZonesCommand(CliConsole console)
        : base("ec2-describe-availability-zones", "Describe the region's availability zones: AVAILABILITYZONE name state region.", console)
    {
        AddShortAlias();
        Arguments.Add(ZonesArgument);
        Options.Add(FilterOption);
    }

    public override string Usage => "ec2sim ec2-describe-availability-zones [ZONE ...] [-F NAME=VALUE ...] [--region REGION]";

    protected override async Task<int> RunAsync(ParseResult parseResult, Ec2SimSession session, RecordOutput output, CancellationToken cancellationToken)
    {
        var response = await session.Ec2().DescribeAvailabilityZonesAsync(
            new DescribeAvailabilityZonesRequest
            {
                ZoneNames = RequestLists.OrNull(parseResult.GetValue(ZonesArgument)),
                Filters = RequestLists.OrNull(Filters.Parse(parseResult.GetValue(FilterOption))),
            },
            cancellationToken);
        output.Collection("availabilityZones");
        foreach (var zone in response.AvailabilityZones ?? [])
        {
            output.Add("availabilityZones", Ec2Records.Zone(zone));
        }

        return ExitCodes.Success;
    }
}
