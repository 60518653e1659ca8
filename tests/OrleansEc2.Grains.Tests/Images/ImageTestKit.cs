using System.Collections.Immutable;
using System.Text;
using OrleansEc2.Bundling;
using OrleansEc2.Bundling.Disks;

namespace OrleansEc2.Grains.Tests.Images;

/// <summary>
/// Bundles an instance the way <c>ec2-bundle-image</c> and <c>ec2-upload-bundle</c> do (until bundle tasks exist): stop
/// the instance, snapshot its disk, sysprep → bundle writer with the account's signing credentials and a region's EC2
/// certificate → parts and then the manifest into a bucket; the instance is started again.
/// </summary>
public sealed class ImageTestKit(IGrainFactory grains, IBlobStore blobs, TimeProvider time)
{
    /// <summary>Small parts, so that an 8 MiB disk makes a bundle of several parts.</summary>
    public const int PartSize = 256 * 1024;

    public ImageTestKit(ClusterFixture fixture)
        : this(fixture.Grains, fixture.GetSiloService<IBlobStore>(), fixture.Time)
    {
    }

    public IGrainFactory Grains { get; } = grains;

    public IBlobStore Blobs { get; } = blobs;

    /// <summary>
    /// Bundles a running Windows instance with a real bundle task (ec2-bundle-instance: an upload policy signed with the
    /// account's secret, the task run to completion, the instance back to running). Returns the manifest's location.
    /// </summary>
    public async Task<string> BundleWithTaskAsync(IInstanceGrain instance, string bucket, string prefix)
    {
        var instanceId = (await instance.DescribeAsync(ClusterFixture.Alice)).InstanceId;
        var task = BundleTasks.BundleKit.NewTask(Grains);
        await task.StartAsync(BundleTasks.BundleKit.Request(instanceId, bucket, prefix, time.GetUtcNow()));
        var finished = await BundleTasks.BundleKit.WaitUntilFinishedAsync(task);
        finished.State.Should().Be(BundleTaskState.Complete, finished.Error?.Message);
        await BundleTasks.BundleKit.WaitForInstanceAsync(instance, InstanceStateName.Running);
        return $"{bucket}/{prefix}.manifest.xml";
    }

    /// <summary>A running Windows instance of <paramref name="account"/> with files written on its disk and a chosen administrator password.</summary>
    public async Task<IInstanceGrain> CustomizedInstanceAsync(
        string account = ClusterFixture.Alice,
        string region = ClusterFixture.UsEast1,
        string password = "Bundled!Pass1",
        string? keyName = null,
        params (string Path, string Content)[] files)
    {
        var image = await Scenario.PublicImageAsync(Grains, Platform.Windows, region);
        var reservation = await Grains.GetGrain<IReservationGrain>(Ec2Ids.NewReservationId()).RunInstancesAsync(
            new RunInstancesRequest(new Caller(account, region), image, 1, 1, "m1.small", keyName, null, null, []));
        var instance = Grains.GetGrain<IInstanceGrain>(reservation.Instances[0].InstanceId);
        foreach (var (path, content) in files.Length > 0 ? files : [(@"C:\app\config.ini", "[app]\nmode=bundled\n")])
        {
            await instance.WriteFileAsync(account, path, Encoding.UTF8.GetBytes(content));
        }

        await instance.SetAdministratorPasswordAsync(account, password);
        return instance;
    }

    /// <summary>
    /// Bundles <paramref name="instance"/> into <paramref name="bucket"/> (created in <paramref name="bucketRegion"/> if
    /// missing) under <paramref name="folder"/> + <paramref name="prefix"/>, sealed for <paramref name="sealedFor"/>'s EC2
    /// certificate. Returns the manifest's location, <c>bucket/folder/prefix.manifest.xml</c>.
    /// </summary>
    public async Task<string> BundleAsync(
        IInstanceGrain instance,
        string bucket,
        string prefix,
        string account = ClusterFixture.Alice,
        string sealedFor = ClusterFixture.UsEast1,
        string bucketRegion = ClusterFixture.UsEast1,
        string folder = "",
        SigningCredentials? signedBy = null)
    {
        await instance.StopAsync(account, force: false);
        var snapshot = await instance.SnapshotDiskAsync(account);
        try
        {
            var signing = signedBy ?? await Grains.GetGrain<IAccountGrain>(account).GetSigningCredentialsAsync();
            var ec2Certificate = await Grains.GetGrain<IRegionGrain>(sealedFor).GetEc2CertificatePemAsync();
            var bucketGrain = await BucketAsync(bucket, account, bucketRegion);

            using var userCertificate = PemKeys.ParseCertificate(signing.CertificatePem);
            using var userKey = PemKeys.ParsePrivateKey(signing.PrivateKeyPem);
            using var ec2 = PemKeys.ParseCertificate(ec2Certificate);
            var writer = new BundleWriter(new BundleOptions
            {
                Prefix = prefix,
                User = account,
                UserCertificate = userCertificate,
                UserPrivateKey = userKey,
                Ec2Certificate = ec2,
                Architecture = "i386",
                PartSize = PartSize,
                BlockDeviceMappings = [new BlockDeviceMapping("ami", "sda1"), new BlockDeviceMapping("root", "/dev/sda1")],
            });

            BundleResult result;
            await using (var disk = Blobs.OpenRead(snapshot.Disk.BlobHash))
            await using (var generalized = Sysprep.OpenGeneralized(disk))
            {
                result = await writer.WriteAsync(generalized, new BucketPartSink(Blobs, bucketGrain, account, folder));
            }

            await PutAsync(bucket, folder + result.ManifestFileName, Encoding.UTF8.GetBytes(result.ManifestXml), account, "text/xml");
            return $"{bucket}/{folder}{result.ManifestFileName}";
        }
        finally
        {
            await instance.StartAsync(account);
        }
    }

    public async Task<IBucketGrain> BucketAsync(string bucket, string account = ClusterFixture.Alice, string region = ClusterFixture.UsEast1)
    {
        var grain = Grains.GetGrain<IBucketGrain>(bucket);
        if (await grain.FindAsync() is null)
        {
            await grain.CreateAsync(account, region);
        }

        return grain;
    }

    public async Task<S3ObjectInfo> PutAsync(string bucket, string key, byte[] content, string account = ClusterFixture.Alice, string contentType = "binary/octet-stream")
    {
        var blob = await Blobs.PutAsync(new MemoryStream(content));
        return await Grains.GetGrain<IBucketGrain>(bucket).PutObjectAsync(
            account,
            new PutObjectRequest(key, blob, contentType, ImmutableDictionary<string, string>.Empty, null));
    }

    public async Task<byte[]> GetAsync(string bucket, string key, string account = ClusterFixture.Alice)
    {
        var info = await Grains.GetGrain<IBucketGrain>(bucket).GetObjectAsync(account, key);
        await using var stream = Blobs.OpenRead(info.Blob.Hash);
        var bytes = new byte[info.Size];
        await stream.ReadExactlyAsync(bytes);
        return bytes;
    }

    public Task<ImageDescription> RegisterAsync(string location, string? name = null, string account = ClusterFixture.Alice, string region = ClusterFixture.UsEast1, string? description = null, string? architecture = null)
        => Grains.GetGrain<IImageGrain>(Ec2Ids.NewImageId()).RegisterAsync(
            new RegisterImageRequest(new Caller(account, region), location, name ?? Scenario.Unique("image"), description, architecture));

    public Task<Reservation> RunAsync(string imageId, int count = 1, string account = ClusterFixture.Alice, string region = ClusterFixture.UsEast1, string? keyName = null)
        => Grains.GetGrain<IReservationGrain>(Ec2Ids.NewReservationId()).RunInstancesAsync(
            new RunInstancesRequest(new Caller(account, region), imageId, count, count, "m1.small", keyName, null, null, []));

    /// <summary>The disk of a stopped instance, opened read-only from its snapshot.</summary>
    public async Task<DiskImage> StoppedDiskAsync(IInstanceGrain instance, string account = ClusterFixture.Alice)
    {
        await instance.StopAsync(account, force: false);
        var snapshot = await instance.SnapshotDiskAsync(account);
        var copy = new MemoryStream();
        await using (var stream = Blobs.OpenRead(snapshot.Disk.BlobHash))
        {
            await stream.CopyToAsync(copy);
        }

        return DiskImage.Open(new MemoryStream(copy.ToArray(), writable: false));
    }

    /// <summary>Puts each part into the bucket as the writer completes it, as <c>ec2-upload-bundle</c> does.</summary>
    private sealed class BucketPartSink(IBlobStore blobs, IBucketGrain bucket, string account, string folder) : IPartSink
    {
        public async Task WritePartAsync(BundlePart part, ReadOnlyMemory<byte> content, CancellationToken cancellationToken)
        {
            var blob = await blobs.PutAsync(new MemoryStream(content.ToArray()), cancellationToken);
            await bucket.PutObjectAsync(account, new PutObjectRequest(folder + part.FileName, blob, "binary/octet-stream", ImmutableDictionary<string, string>.Empty, null));
        }
    }
}
