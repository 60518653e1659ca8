using OrleansEc2.Api.Tests.Infrastructure;
using OrleansEc2.Client;

namespace OrleansEc2.Api.Tests.Images;

/// <summary>The image flow through the .NET client over the Orleans gateway, as a scenario script runs it: bundle, register, share, deregister.</summary>
[Collection(ImageApiSiloCollection.Name)]
public sealed class ImageClientTests(ImageApiSiloFixture silo)
{
    private readonly BundleKit _kit = new(silo);

    [Fact]
    public async Task Client_RegistersDescribesSharesAndDeregistersAnImage()
    {
        await using var client = await silo.Silo.ConnectClientAsync();
        var alice = client.ForAccount(ApiSiloFixture.Alice, ApiSiloFixture.UsEast1);
        var bob = client.ForAccount(ApiSiloFixture.Bob, ApiSiloFixture.UsEast1);
        var location = await BundledAsync(alice);
        var name = Ec2Scenario.UniqueName("scripted");

        var image = await alice.RegisterImageAsync(location, name, "from a script");
        var mine = await alice.DescribeImagesAsync(owners: ["self"], filters: [new Ec2Filter("name", [name])]);
        var shared = await alice.ShareImageAsync(image.ImageId, ApiSiloFixture.Bob);
        var bobSees = await bob.DescribeImagesAsync(executableBy: ["self"]);
        var permissions = await alice.DescribeLaunchPermissionsAsync(image.ImageId);
        var unshared = await alice.UnshareImageAsync(image.ImageId, ApiSiloFixture.Bob);
        var madePublic = await alice.SetImagePublicAsync(image.ImageId, true);
        var bobSeesPublic = await bob.DescribeImageAsync(image.ImageId);
        await alice.ResetLaunchPermissionsAsync(image.ImageId);
        await alice.DeregisterImageAsync(image.ImageId);
        var afterwards = await alice.DescribeImagesAsync(owners: ["self"]);

        image.Should().BeEquivalentTo(new { Name = name, Description = "from a script", ImageLocation = location, Platform = Platform.Windows, State = ImageState.Available });
        mine.Should().ContainSingle().Which.ImageId.Should().Be(image.ImageId);
        shared.UserIds.Should().Equal(ApiSiloFixture.Bob);
        bobSees.Should().Contain(i => i.ImageId == image.ImageId);
        permissions.UserIds.Should().Equal(ApiSiloFixture.Bob);
        unshared.UserIds.Should().BeEmpty();
        madePublic.IsPublic.Should().BeTrue();
        bobSeesPublic.IsPublic.Should().BeTrue();
        afterwards.Should().NotContain(i => i.ImageId == image.ImageId);
    }

    [Fact]
    public async Task Client_Refusals_AreEc2ExceptionsWithEc2Codes()
    {
        await using var client = await silo.Silo.ConnectClientAsync();
        var alice = client.ForAccount(ApiSiloFixture.Alice, ApiSiloFixture.UsEast1);
        var bob = client.ForAccount(ApiSiloFixture.Bob, ApiSiloFixture.UsEast1);
        var image = await alice.RegisterImageAsync(await BundledAsync(alice), Ec2Scenario.UniqueName("refusals"));

        var malformed = () => alice.DeregisterImageAsync("ami-nope");
        var notBobs = () => bob.ShareImageAsync(image.ImageId, ApiSiloFixture.Bob);
        var noManifest = () => alice.RegisterImageAsync("nobucket-at-all/x.manifest.xml", "abc");

        (await malformed.Should().ThrowAsync<Ec2Exception>()).Which.Code.Should().Be(Ec2ErrorCodes.InvalidAmiIdMalformed);
        (await notBobs.Should().ThrowAsync<Ec2Exception>()).Which.Code.Should().Be(Ec2ErrorCodes.InvalidAmiIdNotFound);
        (await noManifest.Should().ThrowAsync<Ec2Exception>()).Which.Code.Should().Be(Ec2ErrorCodes.InvalidManifest);
    }

    private async Task<string> BundledAsync(AccountRegionClient account)
    {
        var image = (await account.DescribeImagesAsync(owners: ["amazon"], filters: [new Ec2Filter("platform", ["windows"])])).First().ImageId;
        var reservation = await account.Grains.GetGrain<IReservationGrain>(Ec2Ids.NewReservationId())
            .RunInstancesAsync(new RunInstancesRequest(account.Caller(), image, 1, 1, "m1.small", null, null, null, []));
        var instance = reservation.Instances[0].InstanceId;
        await _kit.CustomizeAsync(instance, "Scripted!Pass1", account.AccountId, (@"C:\script.txt", "hello"));
        var bucket = Ec2Scenario.UniqueName("scripts");
        var task = await account.BundleInstanceAsync(instance, bucket, "scripted", silo.Time.GetUtcNow().AddHours(24));
        await account.WaitForBundleTaskAsync(task.BundleId, BundleTaskState.Complete, TimeSpan.FromSeconds(30), pollInterval: TimeSpan.FromMilliseconds(10));
        return $"{bucket}/scripted.manifest.xml";
    }
}
