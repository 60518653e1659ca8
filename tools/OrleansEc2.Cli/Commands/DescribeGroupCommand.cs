using System.CommandLine;
using Amazon.EC2.Model;
using OrleansEc2.Cli.Output;
using OrleansEc2.Cli.Service;

namespace OrleansEc2.Cli.Commands;

/// <summary>
/// <c>ec2-describe-group [GROUP ...]</c>: a <c>GROUP id owner name description</c> line per security group, then a
/// <c>PERMISSION</c> line per rule and source, as ec2-api-tools 1.6 printed them.
/// </summary>
internal sealed class DescribeGroupCommand : ServiceCommand
{
    private static readonly Argument<string[]> GroupsArgument = new("GROUP")
    {
        Description = "The groups to describe, by name or by sg- id. Default: all the account's in the region.",
        Arity = ArgumentArity.ZeroOrMore,
    };

    private static readonly Option<string[]> FilterOption = Filters.CreateOption("group-name=default");

    public DescribeGroupCommand(CliConsole console)
        : base("ec2-describe-group", "Describe security groups: GROUP id owner name description, then their PERMISSION lines.", console)
    {
        AddShortAlias();
        Arguments.Add(GroupsArgument);
        Options.Add(FilterOption);
    }

    public override string Usage => "ec2sim ec2-describe-group [GROUP ...] [-F NAME=VALUE ...]";

    protected override async Task<int> RunAsync(ParseResult parseResult, Ec2SimSession session, RecordOutput output, CancellationToken cancellationToken)
    {
        var named = parseResult.GetValue(GroupsArgument) ?? [];
        var ids = named.Where(g => g.StartsWith("sg-", StringComparison.Ordinal)).ToList();
        var names = named.Where(g => !g.StartsWith("sg-", StringComparison.Ordinal)).ToList();
        var response = await session.Ec2().DescribeSecurityGroupsAsync(
            new DescribeSecurityGroupsRequest
            {
                GroupIds = RequestLists.OrNull(ids),
                GroupNames = RequestLists.OrNull(names),
                Filters = RequestLists.OrNull(Filters.Parse(parseResult.GetValue(FilterOption))),
            },
            cancellationToken);
        output.Collection("securityGroups");
        foreach (var group in (response.SecurityGroups ?? []).OrderBy(g => g.GroupName, StringComparer.Ordinal))
        {
            output.Add("securityGroups", Ec2Records.SecurityGroup(group));
        }

        return ExitCodes.Success;
    }
}
