using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace OrleansEc2.Grains.Tests.Regions;

[Collection(ClusterCollection.Name)]
public sealed class RegionGrainTests(ClusterFixture fixture)
{
    [Fact]
    public async Task Directory_ListsTheConfiguredRegionsInOrder()
    {
        var regions = await fixture.Grains.GetGrain<IRegionDirectoryGrain>(0).GetRegionsAsync();

        regions.Select(r => r.RegionName).Should().Equal("us-east-1", "eu-west-1", "us-west-1", "ap-southeast-1");
        regions[0].LegacyLocation.Should().Be("US");
        regions[0].AvailabilityZones.Should().Equal("us-east-1a", "us-east-1b", "us-east-1c", "us-east-1d");
        regions[1].LegacyLocation.Should().Be("EU");
    }

    [Theory]
    [InlineData("EU", "eu-west-1")]
    [InlineData("eu", "eu-west-1")]
    [InlineData("US", "us-east-1")]
    [InlineData("us-west-1", "us-west-1")]
    public async Task FindByLocation_MapsLegacyLocationsToRegions(string location, string region)
    {
        var found = await fixture.Grains.GetGrain<IRegionDirectoryGrain>(0).FindByLocationAsync(location);

        found!.RegionName.Should().Be(region);
    }

    [Fact]
    public async Task FindByLocation_Unknown_ReturnsNull()
    {
        (await fixture.Grains.GetGrain<IRegionDirectoryGrain>(0).FindByLocationAsync("MARS")).Should().BeNull();
    }

    [Fact]
    public async Task Ec2Certificate_IsGeneratedOnceAndMatchesItsPrivateKey()
    {
        var region = fixture.Grains.GetGrain<IRegionGrain>("eu-west-1");

        var first = await region.GetEc2CertificatePemAsync();
        var second = await region.GetEc2CertificatePemAsync();
        var key = await region.GetEc2PrivateKeyPemAsync();

        second.Should().Be(first);
        using var certificate = X509Certificate2.CreateFromPem(first);
        certificate.Subject.Should().Contain("ec2-eu-west-1");
        using var rsa = RSA.Create();
        rsa.ImportFromPem(key);
        var sealedBytes = certificate.GetRSAPublicKey()!.Encrypt("secret"u8.ToArray(), RSAEncryptionPadding.Pkcs1);
        rsa.Decrypt(sealedBytes, RSAEncryptionPadding.Pkcs1).Should().Equal("secret"u8.ToArray());
    }

    [Fact]
    public async Task Ec2Certificates_DifferBetweenRegions()
    {
        var us = await fixture.Grains.GetGrain<IRegionGrain>("us-east-1").GetEc2CertificatePemAsync();
        var eu = await fixture.Grains.GetGrain<IRegionGrain>("eu-west-1").GetEc2CertificatePemAsync();

        us.Should().NotBe(eu);
    }

    [Fact]
    public async Task UnknownRegion_FailsWithInvalidRegion()
    {
        var act = () => fixture.Grains.GetGrain<IRegionGrain>("mars-north-1").GetInfoAsync();

        (await act.Should().ThrowAsync<Ec2Exception>()).Which.Code.Should().Be(Ec2ErrorCodes.InvalidRegion);
    }

    [Fact]
    public async Task PublicImages_AreSeededInEveryRegionWithDistinctIds()
    {
        var us = await fixture.Grains.GetGrain<IRegionGrain>("us-east-1").GetPublicImageIdsAsync();
        var eu = await fixture.Grains.GetGrain<IRegionGrain>("eu-west-1").GetPublicImageIdsAsync();

        us.Should().HaveCount(2);
        eu.Should().HaveCount(2);
        us.Should().NotIntersectWith(eu);
        us.Should().OnlyContain(id => Ec2Ids.IsImageId(id));
    }

    [Fact]
    public async Task DescribeImages_ShowsAWindowsAndALinuxPublicImageOwnedByAmazon()
    {
        var images = await Scenario.Index(fixture.Grains).DescribeImagesAsync(new ImageQuery([], ["amazon"], [], []));

        images.Should().HaveCount(2);
        images.Should().OnlyContain(i => i.OwnerAlias == "amazon" && i.IsPublic && i.State == ImageState.Available);
        images.Select(i => i.Platform).Should().BeEquivalentTo([Platform.Windows, Platform.Linux]);
    }

    [Fact]
    public async Task DescribeImages_FiltersByPlatformAndName()
    {
        var index = Scenario.Index(fixture.Grains);

        var windows = await index.DescribeImagesAsync(new ImageQuery([], [], [], [new Ec2Filter("platform", ["windows"])]));
        var byName = await index.DescribeImagesAsync(new ImageQuery([], [], [], [new Ec2Filter("name", ["fedora-*"])]));

        windows.Should().ContainSingle().Which.Name.Should().Be("Windows-Server2003R2-i386-Base-v1.07");
        byName.Should().ContainSingle().Which.Platform.Should().Be(Platform.Linux);
    }

    [Fact]
    public async Task DescribeImages_UnknownId_FailsWithNotFound()
    {
        var act = () => Scenario.Index(fixture.Grains).DescribeImagesAsync(new ImageQuery(["ami-0123456789abcdef0"], [], [], []));

        (await act.Should().ThrowAsync<Ec2Exception>()).Which.Code.Should().Be(Ec2ErrorCodes.InvalidAmiIdNotFound);
    }

    [Fact]
    public async Task DescribeImages_UnknownFilter_FailsWithInvalidParameterValue()
    {
        var act = () => Scenario.Index(fixture.Grains).DescribeImagesAsync(new ImageQuery([], [], [], [new Ec2Filter("colour", ["blue"])]));

        (await act.Should().ThrowAsync<Ec2Exception>()).Which.Code.Should().Be(Ec2ErrorCodes.InvalidParameterValue);
    }
}
