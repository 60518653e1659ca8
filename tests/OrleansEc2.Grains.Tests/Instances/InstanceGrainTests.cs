using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;
using OrleansEc2.Bundling.Disks;
using OrleansEc2.Grains.Blobs;

namespace OrleansEc2.Grains.Tests.Instances;

[Collection(ClusterCollection.Name)]
public sealed class InstanceGrainTests(ClusterFixture fixture)
{
    private const string Alice = ClusterFixture.Alice;

    [Fact]
    public async Task Windows_BootsWithAFreshIdentity_EachInstanceItsOwn()
    {
        var reservation = await Scenario.RunAsync(fixture.Grains, count: 2);

        var identities = reservation.Instances.Select(i => (i.ComputerName, i.MacAddress, i.Sid)).ToList();
        identities.Should().OnlyContain(i => i.ComputerName != null && i.MacAddress!.StartsWith("12:31:39:") && i.Sid!.StartsWith("S-1-5-21-"));
        identities.Distinct().Should().HaveCount(2);
        reservation.Instances.Should().OnlyContain(i => i.PrivateIpAddress.StartsWith("10.") && i.PrivateDnsName.EndsWith(".ec2.internal"));
        reservation.Instances.Select(i => i.InstanceId).Should().OnlyContain(id => Ec2Ids.IsInstanceId(id) && id.Length == 19);
    }

    [Fact]
    public async Task DiskReferences_LeftByACrashBeforeTheStateWasWritten_AreDropped_WhenTheInstanceComesBack()
    {
        var instance = await Scenario.RunOneAsync(fixture.Grains);
        var blobs = fixture.GetSiloService<FileBlobStore>();
        var holder = "instance:" + instance.GetPrimaryKeyString();
        var disk = (await blobs.ListReferencesAsync(holder)).Should().ContainSingle().Subject;
        var orphan = await blobs.PutAsync(new MemoryStream(Encoding.UTF8.GetBytes("a rewritten disk whose state was never written")));

        await blobs.AddReferenceAsync(orphan.Hash, holder);
        await fixture.Grains.GetGrain<IManagementGrain>(0).ForceActivationCollection(TimeSpan.Zero);
        var described = await instance.DescribeAsync(Alice);

        described.InstanceId.Should().Be(instance.GetPrimaryKeyString());
        (await blobs.ListReferencesAsync(holder)).Should().Equal([disk], "the disk the state names stays referenced, the orphan does not");
        (await blobs.GetHoldersAsync(orphan.Hash)).Should().BeEmpty();
    }

    [Fact]
    public async Task Linux_HasNoWindowsIdentity()
    {
        var instance = await Scenario.RunOneAsync(fixture.Grains, Platform.Linux);

        var described = await instance.DescribeAsync(Alice);

        described.Platform.Should().Be(Platform.Linux);
        (described.ComputerName, described.MacAddress, described.Sid).Should().Be((null, null, null));
    }

    [Fact]
    public async Task PasswordData_DecryptsWithTheKeyPairToThePasswordOnTheDisk()
    {
        var key = await Scenario.Index(fixture.Grains).CreateKeyPairAsync(Scenario.Unique("key"));
        var instance = await Scenario.RunOneAsync(fixture.Grains, keyName: key.KeyPair.KeyName);

        var data = await instance.GetPasswordDataAsync(Alice);
        using var rsa = RSA.Create();
        rsa.ImportFromPem(key.PrivateKeyPem);
        var password = Encoding.UTF8.GetString(rsa.Decrypt(Convert.FromBase64String(data.EncryptedPassword), RSAEncryptionPadding.Pkcs1));

        password.Should().HaveLength(12);
        (await DiskOfAsync(instance, image => image.AdministratorPassword)).Should().Be(password);
    }

    [Fact]
    public async Task PasswordData_IsEmptyWithoutAKeyPairAndForLinux()
    {
        var windows = await Scenario.RunOneAsync(fixture.Grains);
        var linux = await Scenario.RunOneAsync(fixture.Grains, Platform.Linux);

        (await windows.GetPasswordDataAsync(Alice)).EncryptedPassword.Should().BeEmpty();
        (await linux.GetPasswordDataAsync(Alice)).EncryptedPassword.Should().BeEmpty();
    }

    [Fact]
    public async Task AnotherAccount_SeesNoSuchInstance()
    {
        var instance = await Scenario.RunOneAsync(fixture.Grains);

        await ShouldBeNotFound(() => instance.DescribeAsync(ClusterFixture.Bob));
        await ShouldBeNotFound(() => instance.StopAsync(ClusterFixture.Bob, force: false));
        await ShouldBeNotFound(() => instance.TerminateAsync(ClusterFixture.Bob));
        await ShouldBeNotFound(() => instance.GetPasswordDataAsync(ClusterFixture.Bob));
        await ShouldBeNotFound(() => instance.WriteFileAsync(ClusterFixture.Bob, @"C:\x.txt", [1]));
        (await instance.DescribeAsync(Alice)).State.Should().Be(InstanceStateName.Running);
    }

    [Fact]
    public async Task NeverLaunched_IsNotFound()
    {
        await ShouldBeNotFound(() => fixture.Grains.GetGrain<IInstanceGrain>(Ec2Ids.NewInstanceId()).DescribeAsync(Alice));
    }

    [Fact]
    public async Task GuestFiles_WriteReadListDelete()
    {
        var instance = await Scenario.RunOneAsync(fixture.Grains);
        var content = Encoding.UTF8.GetBytes("Hello from the guest\r\n");

        await instance.WriteFileAsync(Alice, @"C:\Users\Administrator\Desktop\hello.txt", content);

        (await instance.ReadFileAsync(Alice, @"c:\users\administrator\desktop\HELLO.TXT")).Should().Equal(content);
        (await instance.ListFilesAsync(Alice)).Should().ContainSingle(f => f.Path.EndsWith("hello.txt", StringComparison.OrdinalIgnoreCase))
            .Which.Length.Should().Be(content.Length);
        await instance.DeleteFileAsync(Alice, @"C:\Users\Administrator\Desktop\hello.txt");
        (await instance.ListFilesAsync(Alice)).Should().NotContain(f => f.Path.EndsWith("hello.txt", StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public async Task GuestFiles_MissingFile_FailsWithAClearError()
    {
        var instance = await Scenario.RunOneAsync(fixture.Grains);

        var act = () => instance.ReadFileAsync(Alice, @"C:\nope.txt");

        var error = (await act.Should().ThrowAsync<Ec2Exception>()).Which;
        error.Message.Should().Contain(@"C:\nope.txt");
    }

    [Fact]
    public async Task DiskCleanup_RemovesOnlyTemporaryFiles()
    {
        var instance = await Scenario.RunOneAsync(fixture.Grains);
        var before = await instance.ListFilesAsync(Alice);

        var removed = await instance.DiskCleanupAsync(Alice);

        var after = await instance.ListFilesAsync(Alice);
        removed.Should().Be(before.Count(f => f.IsTemporary)).And.BeGreaterThan(0);
        after.Should().BeEquivalentTo(before.Where(f => !f.IsTemporary));
    }

    [Fact]
    public async Task Defragment_KeepsEveryFilesContent()
    {
        var instance = await Scenario.RunOneAsync(fixture.Grains);
        var files = await instance.ListFilesAsync(Alice);
        var sample = files.Where(f => f.Length > 0).Take(5).ToList();
        var contents = new List<byte[]>();
        foreach (var file in sample)
        {
            contents.Add(await instance.ReadFileAsync(Alice, file.Path));
        }

        await instance.DefragmentAsync(Alice);

        for (var i = 0; i < sample.Count; i++)
        {
            (await instance.ReadFileAsync(Alice, sample[i].Path)).Should().Equal(contents[i]);
        }
    }

    [Fact]
    public async Task ZeroFreeSpace_MakesTheDiskCompressBetter()
    {
        var instance = await Scenario.RunOneAsync(fixture.Grains);
        await instance.WriteFileAsync(Alice, @"C:\scratch.bin", RandomNumberGenerator.GetBytes(512 * 1024));
        await instance.DeleteFileAsync(Alice, @"C:\scratch.bin");
        var before = await GzipSizeOfDiskAsync(instance);

        await instance.ZeroFreeSpaceAsync(Alice);

        var after = await GzipSizeOfDiskAsync(instance);
        after.Should().BeLessThan(before * 9 / 10, $"zeroing free space should shrink the gzip size by over 10% (before {before} bytes, after {after})");
    }

    [Fact]
    public async Task WindowsOnlyGuestActions_OnLinux_FailWithUnsupportedOperation()
    {
        var linux = await Scenario.RunOneAsync(fixture.Grains, Platform.Linux);

        var act = () => linux.ZeroFreeSpaceAsync(Alice);

        (await act.Should().ThrowAsync<Ec2Exception>()).Which.Code.Should().Be(Ec2ErrorCodes.UnsupportedOperation);
    }

    [Fact]
    public async Task GuestActions_UnlessRunning_FailWithIncorrectInstanceState()
    {
        var instance = await Scenario.RunOneAsync(fixture.Grains);
        await instance.StopAsync(Alice, force: false);

        var act = () => instance.WriteFileAsync(Alice, @"C:\x.txt", [1]);

        (await act.Should().ThrowAsync<Ec2Exception>()).Which.Code.Should().Be(Ec2ErrorCodes.IncorrectInstanceState);
    }

    [Fact]
    public async Task SetAdministratorPassword_IsWhatTheDiskHolds()
    {
        var instance = await Scenario.RunOneAsync(fixture.Grains);

        await instance.SetAdministratorPasswordAsync(Alice, "N3w-Passw0rd!");

        (await DiskOfAsync(instance, image => image.AdministratorPassword)).Should().Be("N3w-Passw0rd!");
    }

    [Fact]
    public async Task Snapshot_OnlyWhenStopped()
    {
        var instance = await Scenario.RunOneAsync(fixture.Grains);

        var act = () => instance.SnapshotDiskAsync(Alice);

        (await act.Should().ThrowAsync<Ec2Exception>()).Which.Code.Should().Be(Ec2ErrorCodes.IncorrectInstanceState);
    }

    [Fact]
    public async Task Snapshot_HoldsTheIdentityOfTheInstance()
    {
        var instance = await Scenario.RunOneAsync(fixture.Grains);
        var described = await instance.DescribeAsync(Alice);

        var identity = await DiskOfAsync(instance, image => image.Identity);

        identity!.ComputerName.Should().Be(described.ComputerName);
        identity.MacAddress.Should().Be(described.MacAddress);
        identity.Sid.Should().Be(described.Sid);
    }

    /// <summary>Stops the instance, reads its disk snapshot, and starts it again.</summary>
    private async Task<T> DiskOfAsync<T>(IInstanceGrain instance, Func<DiskImage, T> read)
    {
        await instance.StopAsync(Alice, force: false);
        var snapshot = await instance.SnapshotDiskAsync(Alice);
        await instance.StartAsync(Alice);
        await using var stream = fixture.GetSiloService<IBlobStore>().OpenRead(snapshot.Disk.BlobHash);
        return read(DiskImage.Open(stream));
    }

    private async Task<long> GzipSizeOfDiskAsync(IInstanceGrain instance)
    {
        await instance.StopAsync(Alice, force: false);
        var snapshot = await instance.SnapshotDiskAsync(Alice);
        await instance.StartAsync(Alice);
        await using var stream = fixture.GetSiloService<IBlobStore>().OpenRead(snapshot.Disk.BlobHash);
        var counter = new MemoryStream();
        await using (var gzip = new GZipStream(counter, CompressionLevel.Optimal, leaveOpen: true))
        {
            await stream.CopyToAsync(gzip);
        }

        return counter.Length;
    }

    private static async Task ShouldBeNotFound(Func<Task> act)
    {
        (await act.Should().ThrowAsync<Ec2Exception>()).Which.Code.Should().Be(Ec2ErrorCodes.InvalidInstanceIdNotFound);
    }
}
