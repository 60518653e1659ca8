using System.CommandLine;
using Amazon.EC2.Model;
using OrleansEc2.Cli.Output;
using OrleansEc2.Cli.Service;

namespace OrleansEc2.Cli.Commands;

/// <summary><c>ec2-describe-regions [REGION ...]</c>: <c>REGION name endpoint</c> lines.</summary>
internal sealed class DescribeRegionsCommand : ServiceCommand
{
    private static readonly Argument<string[]> RegionsArgument = new("REGION")
    {
        Description = "The regions to describe. Default: all.",
        Arity = ArgumentArity.ZeroOrMore,
    };

    private static readonly Option<string[]> FilterOption = Filters.CreateOption("region-name=eu-*");

    public DescribeRegionsCommand(CliConsole console)
        : base("ec2-describe-regions", "Describe the regions: REGION name endpoint.", console)
    {
        AddShortAlias();
        Arguments.Add(RegionsArgument);
        Options.Add(FilterOption);
    }

    public override string Usage => "ec2sim ec2-describe-regions [REGION ...] [-F NAME=VALUE ...]";

    protected override async Task<int> RunAsync(ParseResult parseResult, Ec2SimSession session, RecordOutput output, CancellationToken cancellationToken)
    {
        var response = await session.Ec2().DescribeRegionsAsync(
            new DescribeRegionsRequest
            {
                RegionNames = RequestLists.OrNull(parseResult.GetValue(RegionsArgument)),
                Filters = RequestLists.OrNull(Filters.Parse(parseResult.GetValue(FilterOption))),
            },
            cancellationToken);
        output.Collection("regions");
        foreach (var region in response.Regions ?? [])
        {
            output.Add("regions", Ec2Records.Region(region));
        }

        return ExitCodes.Success;
    }
}
