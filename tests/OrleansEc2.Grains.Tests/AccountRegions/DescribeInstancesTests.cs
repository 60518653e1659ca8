namespace OrleansEc2.Grains.Tests.AccountRegions;

/// <summary>DescribeInstances through the index, in a region nobody else uses so the listings are exact.</summary>
[Collection(ClusterCollection.Name)]
public sealed class DescribeInstancesTests(ClusterFixture fixture)
{
    private const string Region = "ap-southeast-1";

    [Fact]
    public async Task Describe_FiltersPagesAndIsolatesAccounts()
    {
        // Everything about ap-southeast-1 in one test: the collection runs tests one at a time, but other test
        // classes must not see these instances, nor these tests theirs.
        var windows = await Scenario.RunAsync(fixture.Grains, Platform.Windows, region: Region, count: 3, tags: [new Tag("role", "web")]);
        var linux = await Scenario.RunAsync(fixture.Grains, Platform.Linux, region: Region, count: 2);
        var bobs = await Scenario.RunAsync(fixture.Grains, Platform.Linux, account: ClusterFixture.Bob, region: Region);
        var index = Scenario.Index(fixture.Grains, region: Region);
        var stopped = windows.Instances[0].InstanceId;
        await fixture.Grains.GetGrain<IInstanceGrain>(stopped).StopAsync(ClusterFixture.Alice, force: false);

        var all = await index.DescribeInstancesAsync(new InstanceQuery([], [], null, null));
        all.Instances.Select(i => i.InstanceId).Should().BeEquivalentTo(windows.Instances.Concat(linux.Instances).Select(i => i.InstanceId));
        all.Instances.Should().NotContain(i => i.InstanceId == bobs.Instances[0].InstanceId);

        var platform = await index.DescribeInstancesAsync(new InstanceQuery([], [new Ec2Filter("platform", ["windows"])], null, null));
        platform.Instances.Should().HaveCount(3);

        var running = await index.DescribeInstancesAsync(new InstanceQuery([], [new Ec2Filter("instance-state-name", ["running"]), new Ec2Filter("tag:role", ["w*"])], null, null));
        running.Instances.Select(i => i.InstanceId).Should().BeEquivalentTo(windows.Instances.Skip(1).Select(i => i.InstanceId));

        var stoppedByCode = await index.DescribeInstancesAsync(new InstanceQuery([], [new Ec2Filter("instance-state-code", ["80"])], null, null));
        stoppedByCode.Instances.Should().ContainSingle().Which.InstanceId.Should().Be(stopped);

        var tagKey = await index.DescribeInstancesAsync(new InstanceQuery([], [new Ec2Filter("tag-key", ["role"])], null, null));
        tagKey.Instances.Should().HaveCount(3);

        // Plain ids are looked up: in listing order, another account's and unknown ids match nothing, the other
        // filters still apply. A pattern is matched against every instance.
        var byIds = await index.DescribeInstancesAsync(new InstanceQuery(
            [],
            [new Ec2Filter("instance-id", [windows.Instances[2].InstanceId, linux.Instances[1].InstanceId, windows.Instances[1].InstanceId, bobs.Instances[0].InstanceId, "i-0000000000000000f"]), new Ec2Filter("platform", ["windows"])],
            null,
            null));
        byIds.Instances.Select(i => i.InstanceId).Should().Equal(
            all.Instances.Select(i => i.InstanceId).Where(id => id == windows.Instances[1].InstanceId || id == windows.Instances[2].InstanceId));
        var byPattern = await index.DescribeInstancesAsync(new InstanceQuery([], [new Ec2Filter("instance-id", ["i-*", windows.Instances[0].InstanceId])], null, null));
        byPattern.Instances.Select(i => i.InstanceId).Should().Equal(all.Instances.Select(i => i.InstanceId));

        var firstPage = await index.DescribeInstancesAsync(new InstanceQuery([], [], 5, null));
        firstPage.Instances.Should().HaveCount(5);
        firstPage.NextToken.Should().BeNull();
        firstPage.Instances.Select(i => i.InstanceId).Should().Equal(all.Instances.Select(i => i.InstanceId));

        var bobsView = await Scenario.Index(fixture.Grains, ClusterFixture.Bob, Region).DescribeInstancesAsync(new InstanceQuery([], [], null, null));
        bobsView.Instances.Should().ContainSingle().Which.InstanceId.Should().Be(bobs.Instances[0].InstanceId);
    }

    [Fact]
    public async Task Describe_PagesWithNextToken()
    {
        await Scenario.RunAsync(fixture.Grains, Platform.Linux, region: "us-west-1", count: 7);
        var index = Scenario.Index(fixture.Grains, region: "us-west-1");
        var all = (await index.DescribeInstancesAsync(new InstanceQuery([], [], null, null))).Instances;

        var seen = new List<string>();
        string? token = null;
        do
        {
            var page = await index.DescribeInstancesAsync(new InstanceQuery([], [], 5, token));
            page.Instances.Length.Should().BeLessThanOrEqualTo(5);
            seen.AddRange(page.Instances.Select(i => i.InstanceId));
            token = page.NextToken;
        }
        while (token is not null);

        seen.Should().Equal(all.Select(i => i.InstanceId));
    }

    [Fact]
    public async Task Describe_UnknownIds_FailWithNotFoundNamingThem()
    {
        var missing = Ec2Ids.NewInstanceId();

        var act = () => Scenario.Index(fixture.Grains).DescribeInstancesAsync(new InstanceQuery([missing], [], null, null));

        var error = (await act.Should().ThrowAsync<Ec2Exception>()).Which;
        error.Code.Should().Be(Ec2ErrorCodes.InvalidInstanceIdNotFound);
        error.Message.Should().Be($"The instance ID '{missing}' does not exist");
    }

    [Theory]
    [InlineData(4)]
    [InlineData(1001)]
    public async Task Describe_MaxResultsOutOfRange_FailsWithInvalidParameterValue(int maxResults)
    {
        var act = () => Scenario.Index(fixture.Grains).DescribeInstancesAsync(new InstanceQuery([], [], maxResults, null));

        (await act.Should().ThrowAsync<Ec2Exception>()).Which.Code.Should().Be(Ec2ErrorCodes.InvalidParameterValue);
    }

    [Fact]
    public async Task Describe_IdsWithMaxResults_FailsWithInvalidParameterCombination()
    {
        var act = () => Scenario.Index(fixture.Grains).DescribeInstancesAsync(new InstanceQuery([Ec2Ids.NewInstanceId()], [], 5, null));

        (await act.Should().ThrowAsync<Ec2Exception>()).Which.Code.Should().Be(Ec2ErrorCodes.InvalidParameterCombination);
    }

    [Fact]
    public async Task Describe_GarbageNextToken_FailsWithInvalidParameterValue()
    {
        var act = () => Scenario.Index(fixture.Grains).DescribeInstancesAsync(new InstanceQuery([], [], 5, "%%%"));

        (await act.Should().ThrowAsync<Ec2Exception>()).Which.Code.Should().Be(Ec2ErrorCodes.InvalidParameterValue);
    }

    [Fact]
    public async Task Describe_UnknownFilter_FailsWithInvalidParameterValue()
    {
        var act = () => Scenario.Index(fixture.Grains).DescribeInstancesAsync(new InstanceQuery([], [new Ec2Filter("flavour", ["x"])], null, null));

        (await act.Should().ThrowAsync<Ec2Exception>()).Which.Code.Should().Be(Ec2ErrorCodes.InvalidParameterValue);
    }
}
