using System.Security.Cryptography;
using System.Text;
using Amazon.EC2;
using Amazon.EC2.Model;
using OrleansEc2.Api.Ec2.Actions;
using OrleansEc2.Api.Tests.Infrastructure;
using Ec2Tag = Amazon.EC2.Model.Tag;

namespace OrleansEc2.Api.Tests.Actions;

[Collection(ApiSiloCollection.Name)]
public sealed class KeyPairActionTests(ApiSiloFixture silo)
{
    [Fact]
    public async Task CreateKeyPair_NewName_ReturnsThePrivateKeyOnce()
    {
        using var ec2 = silo.Alices();
        var name = Ec2Scenario.UniqueName("key");

        var created = await ec2.CreateKeyPairAsync(new CreateKeyPairRequest { KeyName = name });
        var described = await ec2.DescribeKeyPairsAsync(new DescribeKeyPairsRequest { KeyNames = [name], IncludePublicKey = true });

        created.KeyPair.KeyName.Should().Be(name);
        created.KeyPair.KeyPairId.Should().MatchRegex("^key-[0-9a-f]{17}$");
        created.KeyPair.KeyMaterial.Should().StartWith("-----BEGIN RSA PRIVATE KEY-----");
        created.KeyPair.KeyFingerprint.Should().MatchRegex("^([0-9a-f]{2}:)+[0-9a-f]{2}$");
        var info = described.KeyPairs.Single();
        info.KeyPairId.Should().Be(created.KeyPair.KeyPairId);
        info.KeyFingerprint.Should().Be(created.KeyPair.KeyFingerprint);
        info.KeyType.Value.Should().Be("rsa");
        info.CreateTime.Should().Be(silo.Time.GetUtcNow().UtcDateTime);
        using var rsa = RSA.Create();
        rsa.ImportFromPem(created.KeyPair.KeyMaterial);
        info.PublicKey.Should().StartWith("ssh-rsa ").And.EndWith(" " + name);
    }

    [Fact]
    public async Task CreateKeyPair_ExistingName_FailsWithDuplicate()
    {
        using var ec2 = silo.Alices();
        var name = Ec2Scenario.UniqueName("key");
        await ec2.CreateKeyPairAsync(new CreateKeyPairRequest { KeyName = name });

        var act = () => ec2.CreateKeyPairAsync(new CreateKeyPairRequest { KeyName = name });
        var dryRun = () => ec2.CreateKeyPairAsync(new CreateKeyPairRequest { KeyName = name, DryRun = true });

        (await act.Should().ThrowAsync<AmazonEC2Exception>()).Which.ErrorCode.Should().Be("InvalidKeyPair.Duplicate");
        (await dryRun.Should().ThrowAsync<AmazonEC2Exception>()).Which.ErrorCode.Should().Be("InvalidKeyPair.Duplicate");
    }

    [Fact]
    public async Task ImportKeyPair_OpenSshLine_IsListedWithItsFingerprint()
    {
        using var ec2 = silo.Alices();
        using var rsa = RSA.Create(2048);
        var line = OpenSshPublicKey.FromPem(rsa.ExportSubjectPublicKeyInfoPem(), "me@laptop")!;
        var name = Ec2Scenario.UniqueName("imported");

        var imported = await ec2.ImportKeyPairAsync(new ImportKeyPairRequest
        {
            KeyName = name,
            PublicKeyMaterial = line,
        });
        var byFingerprint = await ec2.DescribeKeyPairsAsync(new DescribeKeyPairsRequest { Filters = [new Filter("fingerprint", [imported.KeyFingerprint])] });

        imported.KeyName.Should().Be(name);
        imported.KeyPairId.Should().StartWith("key-");
        byFingerprint.KeyPairs.Select(k => k.KeyName).Should().Equal(name);
    }

    [Fact]
    public async Task ImportKeyPair_NotAnOpenSshKey_FailsWithInvalidKeyFormat()
    {
        using var ec2 = silo.Alices();

        var act = () => ec2.ImportKeyPairAsync(new ImportKeyPairRequest
        {
            KeyName = Ec2Scenario.UniqueName("bad"),
            PublicKeyMaterial = "-----BEGIN PUBLIC KEY-----\nnope\n",
        });

        (await act.Should().ThrowAsync<AmazonEC2Exception>()).Which.ErrorCode.Should().Be("InvalidKey.Format");
    }

    [Fact]
    public async Task DescribeKeyPairs_FiltersAndIds_SelectKeys()
    {
        using var ec2 = silo.Alices();
        var prefix = Ec2Scenario.UniqueName("kp");
        var a = await ec2.CreateKeyPairAsync(new CreateKeyPairRequest { KeyName = prefix + "-a" });
        await ec2.CreateKeyPairAsync(new CreateKeyPairRequest { KeyName = prefix + "-b" });

        var byFilter = await ec2.DescribeKeyPairsAsync(new DescribeKeyPairsRequest { Filters = [new Filter("key-name", [prefix + "-*"])] });
        var byId = await ec2.DescribeKeyPairsAsync(new DescribeKeyPairsRequest { KeyPairIds = [a.KeyPair.KeyPairId] });
        var missing = () => ec2.DescribeKeyPairsAsync(new DescribeKeyPairsRequest { KeyNames = ["no-such-key-" + prefix] });

        byFilter.KeyPairs.Select(k => k.KeyName).Should().BeEquivalentTo([prefix + "-a", prefix + "-b"]);
        byId.KeyPairs.Single().KeyName.Should().Be(prefix + "-a");
        (await missing.Should().ThrowAsync<AmazonEC2Exception>()).Which.ErrorCode.Should().Be("InvalidKeyPair.NotFound");
    }

    [Fact]
    public async Task DeleteKeyPair_ByNameOrId_RemovesItAndMissingSucceeds()
    {
        using var ec2 = silo.Alices();
        var a = await ec2.CreateKeyPairAsync(new CreateKeyPairRequest { KeyName = Ec2Scenario.UniqueName("del") });
        var b = await ec2.CreateKeyPairAsync(new CreateKeyPairRequest { KeyName = Ec2Scenario.UniqueName("del") });

        var byName = await ec2.DeleteKeyPairAsync(new DeleteKeyPairRequest { KeyName = a.KeyPair.KeyName });
        await ec2.DeleteKeyPairAsync(new DeleteKeyPairRequest { KeyPairId = b.KeyPair.KeyPairId });
        var missing = await ec2.DeleteKeyPairAsync(new DeleteKeyPairRequest { KeyName = "never-existed" });
        var neither = () => ec2.DeleteKeyPairAsync(new DeleteKeyPairRequest());

        byName.Return.Should().BeTrue();
        byName.KeyPairId.Should().Be(a.KeyPair.KeyPairId);
        missing.Return.Should().BeTrue();
        (await neither.Should().ThrowAsync<AmazonEC2Exception>()).Which.ErrorCode.Should().Be("MissingParameter");
        var left = await ec2.DescribeKeyPairsAsync(new DescribeKeyPairsRequest { Filters = [new Filter("key-pair-id", [a.KeyPair.KeyPairId, b.KeyPair.KeyPairId])] });
        (left.KeyPairs ?? []).Should().BeEmpty();
    }
}

[Collection(ApiSiloCollection.Name)]
public sealed class TagActionTests(ApiSiloFixture silo)
{
    [Fact]
    public async Task CreateDescribeDeleteTags_OnInstances_RoundTrip()
    {
        using var ec2 = silo.Alices();
        var ids = (await Ec2Scenario.RunAsync(ec2, 2)).Select(i => i.InstanceId).ToList();
        var marker = Ec2Scenario.UniqueName("m");

        await ec2.CreateTagsAsync(new CreateTagsRequest { Resources = ids, Tags = [new Ec2Tag("Marker", marker), new Ec2Tag("Env", "test")] });
        var tags = await ec2.DescribeTagsAsync(new DescribeTagsRequest { Filters = [new Filter("resource-id", ids)] });
        await ec2.DeleteTagsAsync(new DeleteTagsRequest { Resources = [ids[0]], Tags = [new Ec2Tag { Key = "Env" }] });
        await ec2.DeleteTagsAsync(new DeleteTagsRequest { Resources = [ids[1]], Tags = [new Ec2Tag("Marker", "other-value")] });
        var after = await ec2.DescribeTagsAsync(new DescribeTagsRequest { Filters = [new Filter("resource-id", ids)] });

        tags.Tags.Should().HaveCount(4);
        tags.Tags.Should().AllSatisfy(t => t.ResourceType.Value.Should().Be("instance"));
        tags.Tags.Should().ContainEquivalentOf(new { ResourceId = ids[0], Key = "Marker", Value = marker });
        after.Tags.Select(t => (t.ResourceId, t.Key)).Should().BeEquivalentTo([(ids[0], "Marker"), (ids[1], "Env"), (ids[1], "Marker")]);
        (await Ec2Scenario.DescribeAsync(ec2, ids[0])).Tags.Select(t => t.Key).Should().Equal("Marker");
    }

    [Fact]
    public async Task DescribeTags_MaxResults_PagesWithNextToken()
    {
        using var ec2 = silo.Alices();
        var ids = (await Ec2Scenario.RunAsync(ec2, 3)).Select(i => i.InstanceId).ToList();
        var marker = Ec2Scenario.UniqueName("pg");
        await ec2.CreateTagsAsync(new CreateTagsRequest { Resources = ids, Tags = [new Ec2Tag("A", marker), new Ec2Tag("B", marker)] });

        var all = new List<TagDescription>();
        string? token = null;
        var pages = 0;
        do
        {
            var page = await ec2.DescribeTagsAsync(new DescribeTagsRequest { Filters = [new Filter("value", [marker])], MaxResults = 5, NextToken = token });
            all.AddRange(page.Tags);
            token = page.NextToken;
            pages++;
        }
        while (token is not null);

        pages.Should().Be(2);
        all.Should().HaveCount(6);
    }

    [Fact]
    public async Task CreateTags_BadArguments_FailWithEc2sCodes()
    {
        using var ec2 = silo.Alices();
        var id = (await Ec2Scenario.RunAsync(ec2)).Single().InstanceId;

        async Task<string> Code(CreateTagsRequest request)
        {
            var act = () => ec2.CreateTagsAsync(request);
            return (await act.Should().ThrowAsync<AmazonEC2Exception>()).Which.ErrorCode;
        }

        (await Code(new CreateTagsRequest { Resources = ["i-0123456789abcdef0"], Tags = [new Ec2Tag("a", "b")] })).Should().Be("InvalidInstanceID.NotFound");
        (await Code(new CreateTagsRequest { Resources = ["vol-1234"], Tags = [new Ec2Tag("a", "b")] })).Should().Be("InvalidID");
        (await Code(new CreateTagsRequest { Resources = [id], Tags = [new Ec2Tag("aws:x", "b")] })).Should().Be("InvalidParameterValue");
        (await Code(new CreateTagsRequest { Resources = [id], Tags = [new Ec2Tag(new string('k', 129), "b")] })).Should().Be("InvalidParameterValue");
        (await Code(new CreateTagsRequest { Resources = [id] })).Should().Be("MissingParameter");
        (await Code(new CreateTagsRequest { Resources = [id], Tags = [.. Enumerable.Range(0, 51).Select(i => new Ec2Tag("k" + i, "v"))] })).Should().Be("TagLimitExceeded");
    }

    [Fact]
    public async Task DescribeTags_UnknownFilter_FailsWithInvalidParameterValue()
    {
        using var ec2 = silo.Alices();

        var act = () => ec2.DescribeTagsAsync(new DescribeTagsRequest { Filters = [new Filter("size", ["big"])] });

        (await act.Should().ThrowAsync<AmazonEC2Exception>()).Which.ErrorCode.Should().Be("InvalidParameterValue");
    }
}

[Collection(ApiSiloCollection.Name)]
public sealed class ImageActionTests(ApiSiloFixture silo)
{
    [Fact]
    public async Task DescribeImages_Amazon_ListsTheSeededPublicImages()
    {
        using var ec2 = silo.Alices();

        var response = await ec2.DescribeImagesAsync(new DescribeImagesRequest { Owners = ["amazon"] });

        response.Images.Select(i => i.Name).Should().BeEquivalentTo([Ec2Scenario.WindowsImageName, Ec2Scenario.LinuxImageName]);
        var windows = response.Images.Single(i => i.Name == Ec2Scenario.WindowsImageName);
        windows.ImageId.Should().MatchRegex("^ami-[0-9a-f]{17}$");
        windows.State.Value.Should().Be("available");
        windows.Public.Should().BeTrue();
        windows.Architecture.Value.Should().Be("i386");
        windows.ImageType.Value.Should().Be("machine");
        windows.Platform.Value.Should().BeEquivalentTo("windows");
        windows.PlatformDetails.Should().Be("Windows");
        windows.RootDeviceType.Value.Should().Be("instance-store");
        windows.ImageOwnerAlias.Should().Be("amazon");
        windows.ImageLocation.Should().NotBeNullOrEmpty();
        windows.OwnerId.Should().MatchRegex("^[0-9]{12}$");
        windows.CreationDate.Should().MatchRegex(@"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$");
    }

    [Fact]
    public async Task DescribeImages_IdsOwnersExecutableByAndFilters_SelectImages()
    {
        using var ec2 = silo.Alices();
        var windowsId = await Ec2Scenario.ImageIdAsync(ec2);

        var byId = await ec2.DescribeImagesAsync(new DescribeImagesRequest { ImageIds = [windowsId] });
        var self = await ec2.DescribeImagesAsync(new DescribeImagesRequest { Owners = ["self"] });
        var executable = await ec2.DescribeImagesAsync(new DescribeImagesRequest { ExecutableUsers = ["all"] });
        var linux = await ec2.DescribeImagesAsync(new DescribeImagesRequest { Filters = [new Filter("platform", ["windows"]), new Filter("architecture", ["i386"])] });

        byId.Images.Single().ImageId.Should().Be(windowsId);
        (self.Images ?? []).Should().BeEmpty();
        executable.Images.Should().HaveCount(2);
        linux.Images.Single().ImageId.Should().Be(windowsId);
    }

    [Theory]
    [InlineData("ami-0000000000000000f", "InvalidAMIID.NotFound")]
    [InlineData("ami-zz", "InvalidAMIID.Malformed")]
    public async Task DescribeImages_BadId_FailsWithTheImageError(string imageId, string code)
    {
        using var ec2 = silo.Alices();

        var act = () => ec2.DescribeImagesAsync(new DescribeImagesRequest { ImageIds = [imageId] });

        (await act.Should().ThrowAsync<AmazonEC2Exception>()).Which.ErrorCode.Should().Be(code);
    }

    [Fact]
    public async Task DescribeImages_BadOwner_FailsWithInvalidParameterValue()
    {
        using var ec2 = silo.Alices();

        var act = () => ec2.DescribeImagesAsync(new DescribeImagesRequest { Owners = ["someone"] });

        (await act.Should().ThrowAsync<AmazonEC2Exception>()).Which.ErrorCode.Should().Be("InvalidParameterValue");
    }
}

/// <summary>The remaining error codes each action can give, through the SDK.</summary>
[Collection(ApiSiloCollection.Name)]
public sealed class ActionErrorTests(ApiSiloFixture silo)
{
    [Fact]
    public async Task EachAction_BadInput_SurfacesItsErrorCodeThroughTheSdk()
    {
        using var ec2 = silo.Alices();
        var imageId = await Ec2Scenario.ImageIdAsync(ec2);
        var id = (await Ec2Scenario.RunAsync(ec2)).Single().InstanceId;
        var keyName = Ec2Scenario.UniqueName("dup");
        using var rsa = RSA.Create(2048);
        var line = OpenSshPublicKey.FromPem(rsa.ExportSubjectPublicKeyInfoPem(), "x")!;
        await ec2.ImportKeyPairAsync(new ImportKeyPairRequest { KeyName = keyName, PublicKeyMaterial = line });
        await ec2.TerminateInstancesAsync(new TerminateInstancesRequest { InstanceIds = [id] });

        var cases = new (Func<Task> Call, string Code)[]
        {
            (() => ec2.RunInstancesAsync(new Amazon.EC2.Model.RunInstancesRequest { ImageId = imageId, MinCount = 101, MaxCount = 101 }), "InstanceLimitExceeded"),
            (() => ec2.RunInstancesAsync(new Amazon.EC2.Model.RunInstancesRequest { ImageId = imageId, MinCount = 1, MaxCount = 1001 }), "InvalidParameterValue"),
            (() => ec2.RunInstancesAsync(new Amazon.EC2.Model.RunInstancesRequest { MinCount = 1, MaxCount = 1 }), "MissingParameter"),
            (() => ec2.StopInstancesAsync(new StopInstancesRequest { InstanceIds = [id] }), "IncorrectInstanceState"),
            (() => ec2.StartInstancesAsync(new StartInstancesRequest { InstanceIds = [id] }), "IncorrectInstanceState"),
            (() => ec2.DescribeInstanceStatusAsync(new DescribeInstanceStatusRequest { InstanceIds = [id], MaxResults = 5 }), "InvalidParameterCombination"),
            (() => ec2.DescribeInstanceStatusAsync(new DescribeInstanceStatusRequest { Filters = [new Filter("system-status.colour", ["red"])] }), "InvalidParameterValue"),
            (() => ec2.ImportKeyPairAsync(new ImportKeyPairRequest { KeyName = keyName, PublicKeyMaterial = line }), "InvalidKeyPair.Duplicate"),
            (() => ec2.ImportKeyPairAsync(new ImportKeyPairRequest { KeyName = Ec2Scenario.UniqueName("k") }), "MissingParameter"),
            (() => ec2.CreateKeyPairAsync(new CreateKeyPairRequest { KeyName = Ec2Scenario.UniqueName("k"), KeyType = KeyType.Ed25519 }), "InvalidParameterValue"),
            (() => ec2.CreateKeyPairAsync(new CreateKeyPairRequest { KeyName = "k\u00e9y" }), "InvalidParameterValue"),
            (() => ec2.CreateKeyPairAsync(new CreateKeyPairRequest()), "MissingParameter"),
            (() => ec2.DescribeKeyPairsAsync(new DescribeKeyPairsRequest { KeyPairIds = ["key-nope"] }), "InvalidParameterValue"),
            (() => ec2.DescribeKeyPairsAsync(new DescribeKeyPairsRequest { KeyPairIds = ["key-0123456789abcdef0"] }), "InvalidKeyPair.NotFound"),
            (() => ec2.DeleteKeyPairAsync(new DeleteKeyPairRequest { KeyPairId = "key-x" }), "InvalidParameterValue"),
            (() => ec2.DeleteTagsAsync(new DeleteTagsRequest()), "MissingParameter"),
            (() => ec2.DeleteTagsAsync(new DeleteTagsRequest { Resources = ["i-0123456789abcdef0"] }), "InvalidInstanceID.NotFound"),
            (() => ec2.DescribeTagsAsync(new DescribeTagsRequest { MaxResults = 3 }), "InvalidParameterValue"),
            (() => ec2.DescribeTagsAsync(new DescribeTagsRequest { MaxResults = 5, NextToken = "bogus" }), "InvalidPaginationToken"),
            (() => ec2.DescribeImagesAsync(new DescribeImagesRequest { ExecutableUsers = ["nobody"] }), "InvalidParameterValue"),
            (() => ec2.DescribeImagesAsync(new DescribeImagesRequest { Filters = [new Filter("flavour", ["x"])] }), "InvalidParameterValue"),
            (() => ec2.DescribeAvailabilityZonesAsync(new DescribeAvailabilityZonesRequest { ZoneIds = ["zz-az9"] }), "InvalidParameterValue"),
            (() => ec2.GetPasswordDataAsync(new GetPasswordDataRequest()), "MissingParameter"),
        };

        foreach (var (call, code) in cases)
        {
            (await call.Should().ThrowAsync<AmazonEC2Exception>()).Which.ErrorCode.Should().Be(code);
        }
    }
}
