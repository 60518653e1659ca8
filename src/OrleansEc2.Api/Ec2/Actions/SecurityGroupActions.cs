namespace OrleansEc2.Api.Ec2.Actions;

/// <summary>
/// DescribeSecurityGroups over EC2-Classic's one group per account and region, <c>default</c>
/// (<see cref="ClassicSecurityGroups"/>): members reach each other on every TCP and UDP port and by ICMP.
/// </summary>
internal static class SecurityGroupActions
{
    private static readonly HashSet<string> Filters = ["group-name", "group-id", "description", "owner-id"];

    /// <summary>The default group's inbound rules in EC2-Classic: protocol, from port, to port — each from the group itself.</summary>
    private static readonly (string Protocol, int From, int To)[] DefaultIngress = [("icmp", -1, -1), ("tcp", 0, 65535), ("udp", 0, 65535)];

    public static IEnumerable<Ec2Action> All()
    {
        yield return new Ec2Action(
            "DescribeSecurityGroups",
            new ParameterSchema([.. ParameterSchema.Filters, "GroupName.N", "GroupId.N", "MaxResults", "NextToken"]),
            DescribeSecurityGroupsAsync);
    }

    private static Task<Ec2Body> DescribeSecurityGroupsAsync(Ec2ActionContext context)
    {
        var p = context.Parameters;
        var names = p.GetList("GroupName");
        var ids = p.GetList("GroupId");
        foreach (var id in ids)
        {
            ClassicSecurityGroups.EnsureGroupId(id);
        }

        var filters = p.GetFilters(Filters.Contains);
        var maxResults = p.GetInt("MaxResults", 5, 1000);
        if (maxResults is not null && (!names.IsEmpty || !ids.IsEmpty))
        {
            throw new Ec2Exception(Ec2ErrorCodes.InvalidParameterCombination, "The parameter groupIds or groupNames cannot be used with the parameter maxResults");
        }

        var nextToken = string.IsNullOrEmpty(p.Get("NextToken")) ? null : p.Get("NextToken");

        // Naming groups that do not exist fails, whatever the filters say.
        var named = names.IsEmpty && ids.IsEmpty ? [] : ClassicSecurityGroups.Resolve(context.Caller, names, ids);
        context.ThrowIfDryRun();

        var accountId = context.AccountId;
        var defaultGroup = ClassicSecurityGroups.Default(accountId, context.Caller.Region);
        var groups = (named.IsEmpty ? [defaultGroup] : named)
            .Where(g => filters.All(f => Ec2Wildcard.MatchesAny(f.Values, f.Name switch
            {
                "group-name" => g.GroupName,
                "group-id" => g.GroupId,
                "description" => ClassicSecurityGroups.DefaultDescription,
                _ => accountId,
            })))
            .ToList();
        var (page, next) = OffsetPaging.Page(
            groups,
            maxResults,
            nextToken,
            "DescribeSecurityGroups\n" + context.Caller.AccountRegionKey + "\n" + p.CanonicalText("Action", "Version", "DryRun", "NextToken", "MaxResults"));

        var xml = new Ec2XmlWriter(2048).Start("securityGroupInfo");
        foreach (var group in page)
        {
            SecurityGroup(xml, accountId, group);
        }

        xml.End("securityGroupInfo").Element("nextToken", next);
        return Task.FromResult(Ec2Body.From(xml));
    }

    private static void SecurityGroup(Ec2XmlWriter xml, string accountId, GroupIdentifier group)
    {
        xml.Start("item")
            .Element("ownerId", accountId)
            .Element("groupId", group.GroupId)
            .Element("groupName", group.GroupName)
            .Element("groupDescription", ClassicSecurityGroups.DefaultDescription)
            .Start("ipPermissions");
        foreach (var (protocol, from, to) in DefaultIngress)
        {
            xml.Start("item")
                .Element("ipProtocol", protocol)
                .Element("fromPort", from)
                .Element("toPort", to)
                .Start("groups")
                .Start("item").Element("userId", accountId).Element("groupId", group.GroupId).Element("groupName", group.GroupName).End("item")
                .End("groups")
                .Empty("ipRanges")
                .Empty("ipv6Ranges")
                .Empty("prefixListIds")
                .End("item");
        }

        // EC2-Classic groups had no outbound rules: those came with VPC.
        xml.End("ipPermissions").Empty("ipPermissionsEgress").End("item");
    }
}
