using Amazon.EC2;
using Amazon.EC2.Model;
using OrleansEc2.Api.Tests.Infrastructure;

namespace OrleansEc2.Api.Tests.Actions;

/// <summary>DescribeSecurityGroups over EC2-Classic's one <c>default</c> group per account and region.</summary>
[Collection(ApiSiloCollection.Name)]
public sealed class SecurityGroupActionTests(ApiSiloFixture silo)
{
    [Fact]
    public async Task DescribeSecurityGroups_ShowsTheDefaultGroup_OpenToItsOwnMembers()
    {
        using var ec2 = silo.Alices();

        var group = (await ec2.DescribeSecurityGroupsAsync(new DescribeSecurityGroupsRequest())).SecurityGroups.Single();

        group.GroupName.Should().Be("default");
        group.GroupId.Should().MatchRegex("^sg-[0-9a-f]{17}$");
        group.Description.Should().Be("default group");
        group.OwnerId.Should().Be(ApiSiloFixture.Alice);
        group.VpcId.Should().BeNull();
        group.IpPermissions.Select(p => (p.IpProtocol, p.FromPort, p.ToPort)).Should().Equal(("icmp", -1, -1), ("tcp", 0, 65535), ("udp", 0, 65535));
        group.IpPermissions.Should().AllSatisfy(p => p.UserIdGroupPairs.Should().BeEquivalentTo([new { UserId = ApiSiloFixture.Alice, GroupId = group.GroupId, GroupName = "default" }]));
        group.IpPermissionsEgress.Should().BeNullOrEmpty();
    }

    [Fact]
    public async Task DescribeSecurityGroups_EachAccountAndRegion_HasItsOwnStableDefaultGroup()
    {
        using var alices = silo.Alices();
        using var alicesEu = silo.Ec2(region: "eu-west-1");
        using var bobs = silo.Bobs();

        var alice = (await alices.DescribeSecurityGroupsAsync(new DescribeSecurityGroupsRequest())).SecurityGroups.Single().GroupId;
        var aliceAgain = (await alices.DescribeSecurityGroupsAsync(new DescribeSecurityGroupsRequest())).SecurityGroups.Single().GroupId;
        var aliceEu = (await alicesEu.DescribeSecurityGroupsAsync(new DescribeSecurityGroupsRequest())).SecurityGroups.Single().GroupId;
        var bob = (await bobs.DescribeSecurityGroupsAsync(new DescribeSecurityGroupsRequest())).SecurityGroups.Single().GroupId;

        aliceAgain.Should().Be(alice);
        new[] { alice, aliceEu, bob }.Should().OnlyHaveUniqueItems();
    }

    [Fact]
    public async Task DescribeSecurityGroups_ByNameIdAndFilters_SelectsTheDefaultGroupOrNothing()
    {
        using var ec2 = silo.Alices();
        var groupId = (await ec2.DescribeSecurityGroupsAsync(new DescribeSecurityGroupsRequest())).SecurityGroups.Single().GroupId;

        async Task<List<string>> Ids(DescribeSecurityGroupsRequest request)
            => [.. ((await ec2.DescribeSecurityGroupsAsync(request)).SecurityGroups ?? []).Select(g => g.GroupId)];

        (await Ids(new DescribeSecurityGroupsRequest { GroupNames = ["default"] })).Should().Equal(groupId);
        (await Ids(new DescribeSecurityGroupsRequest { GroupIds = [groupId] })).Should().Equal(groupId);
        (await Ids(new DescribeSecurityGroupsRequest { Filters = [new Filter("group-name", ["default"])] })).Should().Equal(groupId);
        (await Ids(new DescribeSecurityGroupsRequest { Filters = [new Filter("group-name", ["def*"])] })).Should().Equal(groupId);
        (await Ids(new DescribeSecurityGroupsRequest { Filters = [new Filter("group-id", [groupId])] })).Should().Equal(groupId);
        (await Ids(new DescribeSecurityGroupsRequest { Filters = [new Filter("description", ["default group"])] })).Should().Equal(groupId);
        (await Ids(new DescribeSecurityGroupsRequest { Filters = [new Filter("owner-id", [ApiSiloFixture.Alice])] })).Should().Equal(groupId);
        (await Ids(new DescribeSecurityGroupsRequest { Filters = [new Filter("group-name", ["web"])] })).Should().BeEmpty();
        (await Ids(new DescribeSecurityGroupsRequest { Filters = [new Filter("owner-id", [ApiSiloFixture.Bob])] })).Should().BeEmpty();
        (await Ids(new DescribeSecurityGroupsRequest { GroupNames = ["default"], Filters = [new Filter("group-name", ["web"])] })).Should().BeEmpty();
        (await Ids(new DescribeSecurityGroupsRequest { MaxResults = 5 })).Should().Equal(groupId);
    }

    [Fact]
    public async Task DescribeSecurityGroups_BadArguments_FailWithEc2sCodes()
    {
        using var ec2 = silo.Alices();

        async Task<AmazonEC2Exception> Error(DescribeSecurityGroupsRequest request)
        {
            var act = () => ec2.DescribeSecurityGroupsAsync(request);
            return (await act.Should().ThrowAsync<AmazonEC2Exception>()).Which;
        }

        var missingName = await Error(new DescribeSecurityGroupsRequest { GroupNames = ["default", "web"] });
        var missingId = await Error(new DescribeSecurityGroupsRequest { GroupIds = ["sg-0123456789abcdef0"] });
        var malformed = await Error(new DescribeSecurityGroupsRequest { GroupIds = ["default"] });
        missingName.ErrorCode.Should().Be("InvalidGroup.NotFound");
        missingName.Message.Should().Be("The security group 'web' does not exist");
        missingId.ErrorCode.Should().Be("InvalidGroup.NotFound");
        missingId.Message.Should().Be("The security group 'sg-0123456789abcdef0' does not exist");
        malformed.ErrorCode.Should().Be("InvalidGroupId.Malformed");
        malformed.Message.Should().Be("Invalid id: \"default\" (expecting \"sg-...\")");
        (await Error(new DescribeSecurityGroupsRequest { GroupNames = ["default"], MaxResults = 5 })).ErrorCode.Should().Be("InvalidParameterCombination");
        (await Error(new DescribeSecurityGroupsRequest { Filters = [new Filter("vpc-id", ["vpc-1"])] })).ErrorCode.Should().Be("InvalidParameterValue");
    }
}
