namespace OrleansEc2.Grains.Tests.AccountRegions;

[Collection(ClusterCollection.Name)]
public sealed class TagTests(ClusterFixture fixture)
{
    [Fact]
    public async Task CreateDescribeDelete_OnInstancesAndKeyPairs()
    {
        var index = Scenario.Index(fixture.Grains);
        var instance = (await Scenario.RunAsync(fixture.Grains)).Instances[0].InstanceId;
        var key = await index.CreateKeyPairAsync(Scenario.Unique("key"));

        await index.CreateTagsAsync([instance, key.KeyPair.KeyPairId], [new Tag("Owner", "alice"), new Tag("Stage", "demo")]);
        var tags = await index.DescribeTagsAsync([new Ec2Filter("resource-id", [instance, key.KeyPair.KeyPairId])]);
        tags.Should().BeEquivalentTo(new[]
        {
            new ResourceTag(instance, "instance", "Owner", "alice"),
            new ResourceTag(instance, "instance", "Stage", "demo"),
            new ResourceTag(key.KeyPair.KeyPairId, "key-pair", "Owner", "alice"),
            new ResourceTag(key.KeyPair.KeyPairId, "key-pair", "Stage", "demo"),
        });

        await index.DeleteTagsAsync([instance], [new TagRemoval("Owner", "bob"), new TagRemoval("Stage", null)]);
        var left = await index.DescribeTagsAsync([new Ec2Filter("resource-id", [instance])]);
        left.Should().Equal(new ResourceTag(instance, "instance", "Owner", "alice"));

        await index.DeleteTagsAsync([instance], [new TagRemoval("Owner", "alice")]);
        (await index.DescribeTagsAsync([new Ec2Filter("resource-id", [instance])])).Should().BeEmpty();
    }

    [Fact]
    public async Task Create_OverwritesAnExistingValue()
    {
        var index = Scenario.Index(fixture.Grains);
        var instance = (await Scenario.RunAsync(fixture.Grains)).Instances[0].InstanceId;

        await index.CreateTagsAsync([instance], [new Tag("Name", "one")]);
        await index.CreateTagsAsync([instance], [new Tag("Name", "two")]);

        (await Scenario.DescribeAsync(fixture.Grains, instance)).Tags.Should().Equal(new Tag("Name", "two"));
    }

    [Fact]
    public async Task Create_OnAnotherAccountsInstance_FailsAndChangesNothing()
    {
        var instance = (await Scenario.RunAsync(fixture.Grains)).Instances[0].InstanceId;

        var act = () => Scenario.Index(fixture.Grains, ClusterFixture.Bob).CreateTagsAsync([instance], [new Tag("Name", "mine")]);

        (await act.Should().ThrowAsync<Ec2Exception>()).Which.Code.Should().Be(Ec2ErrorCodes.InvalidInstanceIdNotFound);
        (await Scenario.DescribeAsync(fixture.Grains, instance)).Tags.Should().BeEmpty();
    }

    [Fact]
    public async Task Create_OneUnknownResource_TagsNoneOfThem()
    {
        var index = Scenario.Index(fixture.Grains);
        var instance = (await Scenario.RunAsync(fixture.Grains)).Instances[0].InstanceId;

        var act = () => index.CreateTagsAsync([instance, Ec2Ids.NewInstanceId()], [new Tag("Name", "x")]);

        (await act.Should().ThrowAsync<Ec2Exception>()).Which.Code.Should().Be(Ec2ErrorCodes.InvalidInstanceIdNotFound);
        (await Scenario.DescribeAsync(fixture.Grains, instance)).Tags.Should().BeEmpty();
    }

    [Theory]
    [InlineData("aws:reserved", "v", Ec2ErrorCodes.InvalidParameterValue)]
    [InlineData("", "v", Ec2ErrorCodes.InvalidParameterValue)]
    public async Task Create_InvalidTag_Fails(string key, string value, string code)
    {
        var instance = (await Scenario.RunAsync(fixture.Grains)).Instances[0].InstanceId;

        var act = () => Scenario.Index(fixture.Grains).CreateTagsAsync([instance], [new Tag(key, value)]);

        (await act.Should().ThrowAsync<Ec2Exception>()).Which.Code.Should().Be(code);
    }

    [Fact]
    public async Task Create_MoreThanFiftyTags_FailsWithTagLimitExceeded()
    {
        var instance = (await Scenario.RunAsync(fixture.Grains)).Instances[0].InstanceId;

        var act = () => Scenario.Index(fixture.Grains).CreateTagsAsync([instance], [.. Enumerable.Range(0, 51).Select(i => new Tag($"k{i}", "v"))]);

        (await act.Should().ThrowAsync<Ec2Exception>()).Which.Code.Should().Be(Ec2ErrorCodes.TagLimitExceeded);
    }

    [Fact]
    public async Task Create_UnknownResourceKind_FailsWithInvalidId()
    {
        var act = () => Scenario.Index(fixture.Grains).CreateTagsAsync(["vol-12345678"], [new Tag("Name", "x")]);

        (await act.Should().ThrowAsync<Ec2Exception>()).Which.Code.Should().Be(Ec2ErrorCodes.InvalidIdNotFound);
    }
}
