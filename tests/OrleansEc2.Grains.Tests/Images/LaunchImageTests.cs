using System.Security.Cryptography;
using System.Text;

namespace OrleansEc2.Grains.Tests.Images;

[Collection(ImageClusterCollection.Name)]
public sealed class LaunchImageTests(ImageClusterFixture fixture)
{
    private const string Password = "Bundled!Pass1";

    private readonly ImageTestKit _kit = new(fixture);

    [Fact]
    public async Task Launch_FromABundledWindowsInstance_BootsCopiesWithItsFilesAndPasswordAndFreshIdentities()
    {
        var keyName = Scenario.Unique("key");
        await Scenario.Index(fixture.Grains).CreateKeyPairAsync(keyName);
        var original = await _kit.CustomizedInstanceAsync(
            password: Password,
            keyName: keyName,
            files: [(@"C:\inetpub\wwwroot\index.html", "<h1>bundled</h1>"), (@"C:\app\settings.ini", "[db]\nhost=10.0.0.5\n")]);
        var before = await original.DescribeAsync(ClusterFixture.Alice);
        var image = await _kit.RegisterAsync(await _kit.BundleWithTaskAsync(original, Scenario.Unique("bundles"), "winami"));

        var reservation = await _kit.RunAsync(image.ImageId, count: 3, keyName: keyName);

        reservation.Instances.Should().HaveCount(3).And.OnlyContain(i => i.ImageId == image.ImageId && i.Platform == Platform.Windows);
        var identities = new List<(string?, string?, string?)> { (before.ComputerName, before.MacAddress, before.Sid) };
        foreach (var launched in reservation.Instances)
        {
            var instance = fixture.Grains.GetGrain<IInstanceGrain>(launched.InstanceId);
            (await instance.DescribeAsync(ClusterFixture.Alice)).State.Should().Be(InstanceStateName.Running);
            Encoding.UTF8.GetString(await instance.ReadFileAsync(ClusterFixture.Alice, @"C:\inetpub\wwwroot\index.html")).Should().Be("<h1>bundled</h1>");
            Encoding.UTF8.GetString(await instance.ReadFileAsync(ClusterFixture.Alice, @"C:\app\settings.ini")).Should().Be("[db]\nhost=10.0.0.5\n");
            (await instance.GetPasswordDataAsync(ClusterFixture.Alice)).EncryptedPassword.Should().BeEmpty();

            var disk = await _kit.StoppedDiskAsync(instance);
            disk.AdministratorPassword.Should().Be(Password);
            disk.Identity!.ComputerName.Should().Be(launched.ComputerName);
            disk.Identity.MacAddress.Should().Be(launched.MacAddress);
            disk.Identity.Sid.Should().Be(launched.Sid);
            identities.Add((launched.ComputerName, launched.MacAddress, launched.Sid));
        }

        identities.Select(i => i.Item1).Should().OnlyHaveUniqueItems().And.NotContainNulls();
        identities.Select(i => i.Item2).Should().OnlyHaveUniqueItems().And.NotContainNulls();
        identities.Select(i => i.Item3).Should().OnlyHaveUniqueItems().And.NotContainNulls();
        (await fixture.Grains.GetGrain<IImageGrain>(image.ImageId).DescribeLaunchCacheAsync(Alice)).Unbundles.Should().Be(1);
    }

    [Fact]
    public async Task Launch_Again_CopiesTheKeptDiskWithoutUnbundling()
    {
        var image = await _kit.RegisterAsync(await fixture.SharedBundleAsync());
        var grain = fixture.Grains.GetGrain<IImageGrain>(image.ImageId);

        await _kit.RunAsync(image.ImageId);
        var first = await grain.DescribeLaunchCacheAsync(Alice);
        await _kit.RunAsync(image.ImageId, count: 2);
        var second = await grain.DescribeLaunchCacheAsync(Alice);

        first.Unbundles.Should().Be(1);
        first.Disk.Should().NotBeNull();
        first.Disk!.Platform.Should().Be(Platform.Windows);
        first.Disk.Architecture.Should().Be("i386");
        fixture.GetSiloService<IBlobStore>().Exists(first.Disk.BlobHash).Should().BeTrue();
        second.Should().Be(first);
    }

    [Fact]
    public async Task Launch_TwentyInOneRunInstances_UnbundlesOnce_AndAllRun()
    {
        var image = await _kit.RegisterAsync(await fixture.SharedBundleAsync());

        var reservation = await _kit.RunAsync(image.ImageId, count: 20);

        reservation.Instances.Should().HaveCount(20);
        await AllRunningAsync(reservation.Instances.Select(i => i.InstanceId));
        (await fixture.Grains.GetGrain<IImageGrain>(image.ImageId).DescribeLaunchCacheAsync(Alice)).Unbundles.Should().Be(1);
    }

    [Fact]
    public async Task Launch_TwentyConcurrentRunInstances_ShareOneUnbundle_AndAllRun()
    {
        var image = await _kit.RegisterAsync(await fixture.SharedBundleAsync());

        var reservations = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => _kit.RunAsync(image.ImageId)));

        var ids = reservations.SelectMany(r => r.Instances).Select(i => i.InstanceId).ToList();
        ids.Should().HaveCount(20).And.OnlyHaveUniqueItems();
        await AllRunningAsync(ids);
        (await fixture.Grains.GetGrain<IImageGrain>(image.ImageId).DescribeLaunchCacheAsync(Alice)).Unbundles.Should().Be(1);
    }

    [Fact]
    public async Task Launch_AfterTheBundleWasOverwritten_FailsUntilRegisteredAgain()
    {
        var bucket = Scenario.Unique("bundles");
        var instance = await _kit.CustomizedInstanceAsync(files: [(@"C:\version.txt", "1")]);
        var location = await _kit.BundleWithTaskAsync(instance, bucket, "rebundled");
        var first = await _kit.RegisterAsync(location);
        await instance.WriteFileAsync(ClusterFixture.Alice, @"C:\version.txt", "2"u8.ToArray());
        await _kit.BundleWithTaskAsync(instance, bucket, "rebundled");

        var stale = () => _kit.RunAsync(first.ImageId);

        var failure = (await stale.Should().ThrowAsync<Ec2Exception>()).Which;
        failure.Code.Should().Be(Ec2ErrorCodes.InvalidManifest);
        failure.Message.Should().Be($"The manifest or a part of {first.ImageId} changed in {bucket}/rebundled.manifest.xml since it was registered: register the image again.");

        var again = await _kit.RegisterAsync(location);
        var launched = await _kit.RunAsync(again.ImageId);
        var copy = fixture.Grains.GetGrain<IInstanceGrain>(launched.Instances[0].InstanceId);
        (await copy.ReadFileAsync(ClusterFixture.Alice, @"C:\version.txt")).Should().Equal("2"u8.ToArray());
    }

    [Fact]
    public async Task Launch_AfterAPartWasOverwritten_FailsWithTheRegisterAgainMessage_EvenWithTheDiskKept()
    {
        var bucket = Scenario.Unique("bundles");
        var image = await _kit.RegisterAsync(await _kit.BundleAsync(await _kit.CustomizedInstanceAsync(), bucket, "overwritten"));
        await _kit.RunAsync(image.ImageId);
        await _kit.PutAsync(bucket, "overwritten.part.01", RandomNumberGenerator.GetBytes(ImageTestKit.PartSize));

        var act = () => _kit.RunAsync(image.ImageId);

        var failure = (await act.Should().ThrowAsync<Ec2Exception>()).Which;
        failure.Code.Should().Be(Ec2ErrorCodes.InvalidManifest);
        failure.Message.Should().Be($"The manifest or a part of {image.ImageId} changed in {bucket}/overwritten.part.01 since it was registered: register the image again.");
    }

    [Fact]
    public async Task Launch_AfterAPartWasDeleted_FailsWithTheRegisterAgainMessage()
    {
        var bucket = Scenario.Unique("bundles");
        var image = await _kit.RegisterAsync(await _kit.BundleAsync(await _kit.CustomizedInstanceAsync(), bucket, "deleted"));
        await fixture.Grains.GetGrain<IBucketGrain>(bucket).DeleteObjectAsync(ClusterFixture.Alice, "deleted.part.02");

        var act = () => _kit.RunAsync(image.ImageId);

        (await act.Should().ThrowAsync<Ec2Exception>()).Which.Message.Should().Be(
            $"The manifest or a part of {image.ImageId} changed in {bucket}/deleted.part.02 since it was registered (it is no longer there): register the image again.");
    }

    [Fact]
    public async Task Launch_OfABundleWithACorruptPart_FailsNamingThePart_AndKeepsNoDisk()
    {
        var bucket = Scenario.Unique("bundles");
        var location = await _kit.BundleAsync(await _kit.CustomizedInstanceAsync(), bucket, "corrupt");
        var part = await _kit.GetAsync(bucket, "corrupt.part.01");
        part[1000] ^= 0xff;
        await _kit.PutAsync(bucket, "corrupt.part.01", part);
        var image = await _kit.RegisterAsync(location);
        var before = (await Scenario.Index(fixture.Grains).DescribeInstancesAsync(new InstanceQuery([], [], null, null))).Instances.Length;

        var act = () => _kit.RunAsync(image.ImageId);

        var failure = (await act.Should().ThrowAsync<Ec2Exception>()).Which;
        failure.Code.Should().Be(Ec2ErrorCodes.InvalidManifest);
        failure.Message.Should().StartWith($"{image.ImageId} cannot be launched: Part corrupt.part.01 (index 1) is corrupt: its SHA-1 is ");
        failure.Message.Should().EndWith($"The bundle {location} is damaged: bundle the instance and register the image again.");
        (await fixture.Grains.GetGrain<IImageGrain>(image.ImageId).DescribeLaunchCacheAsync(Alice)).Should().Be(new ImageLaunchCache(image.ImageId, null, 0));
        (await Scenario.Index(fixture.Grains).DescribeInstancesAsync(new InstanceQuery([], [], null, null))).Instances.Length.Should().Be(before);
    }

    [Fact]
    public async Task Launch_OfALinuxBundle_BootsWithoutAWindowsIdentity()
    {
        var bucket = Scenario.Unique("bundles");
        var linux = await Scenario.RunOneAsync(fixture.Grains, Platform.Linux);
        await linux.WriteFileAsync(ClusterFixture.Alice, "/etc/motd", "bundled linux\n"u8.ToArray());
        var location = await BundleLinuxAsync(linux, bucket);

        var image = await _kit.RegisterAsync(location);
        var reservation = await _kit.RunAsync(image.ImageId);

        image.Platform.Should().Be(Platform.Linux);
        reservation.Instances[0].Platform.Should().Be(Platform.Linux);
        reservation.Instances[0].ComputerName.Should().BeNull();
        (await fixture.Grains.GetGrain<IInstanceGrain>(reservation.Instances[0].InstanceId).ReadFileAsync(ClusterFixture.Alice, "/etc/motd"))
            .Should().Equal("bundled linux\n"u8.ToArray());
    }

    private static Caller Alice => new(ClusterFixture.Alice, ClusterFixture.UsEast1);

    private async Task AllRunningAsync(IEnumerable<string> instanceIds)
    {
        var page = await Scenario.Index(fixture.Grains).DescribeInstancesAsync(new InstanceQuery([.. instanceIds], [], null, null));
        page.Instances.Should().OnlyContain(i => i.State == InstanceStateName.Running);
    }

    /// <summary><c>ec2-bundle-image</c> of a Linux disk (no sysprep: it has no Windows identity to strip).</summary>
    private async Task<string> BundleLinuxAsync(IInstanceGrain instance, string bucket)
    {
        await instance.StopAsync(ClusterFixture.Alice, force: false);
        var snapshot = await instance.SnapshotDiskAsync(ClusterFixture.Alice);
        var signing = await fixture.Grains.GetGrain<IAccountGrain>(ClusterFixture.Alice).GetSigningCredentialsAsync();
        var ec2 = await fixture.Grains.GetGrain<IRegionGrain>(ClusterFixture.UsEast1).GetEc2CertificatePemAsync();
        await _kit.BucketAsync(bucket);
        using var certificate = OrleansEc2.Bundling.PemKeys.ParseCertificate(signing.CertificatePem);
        using var key = OrleansEc2.Bundling.PemKeys.ParsePrivateKey(signing.PrivateKeyPem);
        using var ec2Certificate = OrleansEc2.Bundling.PemKeys.ParseCertificate(ec2);
        var store = new OrleansEc2.Bundling.MemoryPartStore();
        OrleansEc2.Bundling.BundleResult result;
        await using (var disk = _kit.Blobs.OpenRead(snapshot.Disk.BlobHash))
        {
            result = await new OrleansEc2.Bundling.BundleWriter(new OrleansEc2.Bundling.BundleOptions
            {
                Prefix = "linux",
                User = ClusterFixture.Alice,
                UserCertificate = certificate,
                UserPrivateKey = key,
                Ec2Certificate = ec2Certificate,
                Architecture = "i386",
            }).WriteAsync(disk, store);
        }

        foreach (var (name, bytes) in store.Parts)
        {
            await _kit.PutAsync(bucket, name, bytes);
        }

        await _kit.PutAsync(bucket, result.ManifestFileName, Encoding.UTF8.GetBytes(result.ManifestXml));
        return $"{bucket}/{result.ManifestFileName}";
    }
}
