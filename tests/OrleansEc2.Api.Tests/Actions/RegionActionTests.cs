using Amazon.EC2;
using Amazon.EC2.Model;
using OrleansEc2.Api.Tests.Infrastructure;

namespace OrleansEc2.Api.Tests.Actions;

[Collection(ApiSiloCollection.Name)]
public sealed class RegionActionTests(ApiSiloFixture silo)
{
    [Fact]
    public async Task DescribeRegions_All_ListsTheConfiguredRegionsWithEndpoints()
    {
        using var ec2 = silo.Alices();

        var response = await ec2.DescribeRegionsAsync(new DescribeRegionsRequest());

        response.Regions.Select(r => r.RegionName).Should().Equal("us-east-1", "eu-west-1", "us-west-1", "ap-southeast-1");
        response.Regions[0].Endpoint.Should().Be("ec2.us-east-1.amazonaws.com");
        response.Regions[0].OptInStatus.Should().Be("opt-in-not-required");
    }

    [Fact]
    public async Task DescribeRegions_ByNameAndFilter_NarrowsTheList()
    {
        using var ec2 = silo.Alices();

        var byName = await ec2.DescribeRegionsAsync(new DescribeRegionsRequest { RegionNames = ["eu-west-1"] });
        var byFilter = await ec2.DescribeRegionsAsync(new DescribeRegionsRequest
        {
            Filters = [new Filter("region-name", ["us-*"])],
        });
        var byEndpoint = await ec2.DescribeRegionsAsync(new DescribeRegionsRequest
        {
            Filters = [new Filter("endpoint", ["ec2.ap-southeast-1.amazonaws.com"])],
            AllRegions = true,
        });

        byName.Regions.Select(r => r.RegionName).Should().Equal("eu-west-1");
        byFilter.Regions.Select(r => r.RegionName).Should().Equal("us-east-1", "us-west-1");
        byEndpoint.Regions.Select(r => r.RegionName).Should().Equal("ap-southeast-1");
    }

    [Fact]
    public async Task DescribeRegions_UnknownRegionName_FailsWithInvalidParameterValue()
    {
        using var ec2 = silo.Alices();

        var act = () => ec2.DescribeRegionsAsync(new DescribeRegionsRequest { RegionNames = ["mars-north-1"] });

        (await act.Should().ThrowAsync<AmazonEC2Exception>()).Which.ErrorCode.Should().Be("InvalidParameterValue");
    }

    [Fact]
    public async Task DescribeRegions_UnknownFilter_FailsWithInvalidParameterValue()
    {
        using var ec2 = silo.Alices();

        var act = () => ec2.DescribeRegionsAsync(new DescribeRegionsRequest { Filters = [new Filter("color", ["blue"])] });

        var error = (await act.Should().ThrowAsync<AmazonEC2Exception>()).Which;
        error.ErrorCode.Should().Be("InvalidParameterValue");
        error.Message.Should().Be("The filter 'color' is invalid");
    }

    [Fact]
    public async Task DescribeAvailabilityZones_CallersRegion_ListsItsZones()
    {
        using var ec2 = silo.Ec2(region: "eu-west-1");

        var response = await ec2.DescribeAvailabilityZonesAsync(new DescribeAvailabilityZonesRequest());

        response.AvailabilityZones.Select(z => z.ZoneName).Should().Equal("eu-west-1a", "eu-west-1b", "eu-west-1c");
        response.AvailabilityZones.Should().AllSatisfy(z =>
        {
            z.RegionName.Should().Be("eu-west-1");
            z.State.Value.Should().Be("available");
        });
        response.AvailabilityZones[0].ZoneId.Should().Be("euw1-az1");
    }

    [Fact]
    public async Task DescribeAvailabilityZones_ByNameAndFilter_NarrowsTheList()
    {
        using var ec2 = silo.Alices();

        var byName = await ec2.DescribeAvailabilityZonesAsync(new DescribeAvailabilityZonesRequest { ZoneNames = ["us-east-1c"] });
        var byFilter = await ec2.DescribeAvailabilityZonesAsync(new DescribeAvailabilityZonesRequest { Filters = [new Filter("zone-name", ["*a", "*d"])] });

        byName.AvailabilityZones.Select(z => z.ZoneName).Should().Equal("us-east-1c");
        byFilter.AvailabilityZones.Select(z => z.ZoneName).Should().Equal("us-east-1a", "us-east-1d");
    }

    [Fact]
    public async Task DescribeAvailabilityZones_ZoneOfAnotherRegion_FailsWithInvalidParameterValue()
    {
        using var ec2 = silo.Alices();

        var act = () => ec2.DescribeAvailabilityZonesAsync(new DescribeAvailabilityZonesRequest { ZoneNames = ["eu-west-1a"] });

        (await act.Should().ThrowAsync<AmazonEC2Exception>()).Which.ErrorCode.Should().Be("InvalidParameterValue");
    }
}
