using System.Text;
using Amazon.S3.Model;
using OrleansEc2.Api.Tests.Infrastructure;
using OrleansEc2.Bundling;
using OrleansEc2.Bundling.Disks;

namespace OrleansEc2.Api.Tests.Images;

/// <summary>
/// What a user does inside and around an instance before RegisterImage, on the silo of the fixture: writes files and
/// sets the password in the guest, then bundles it as <c>ec2-bundle-image</c> + <c>ec2-upload-bundle</c> do (stop,
/// snapshot, sysprep, bundle writer, start again; then the parts and last the manifest uploaded through the S3 API with
/// the AWS SDK).
/// </summary>
public sealed class BundleKit(ApiSiloFixture silo)
{
    public const int PartSize = 128 * 1024;

    public IGrainFactory Grains => silo.Grains;

    public IBlobStore Blobs => silo.Silo.GetRequiredService<IBlobStore>();

    public async Task CustomizeAsync(string instanceId, string password, string account = ApiSiloFixture.Alice, params (string Path, string Content)[] files)
    {
        var instance = Grains.GetGrain<IInstanceGrain>(instanceId);
        foreach (var (path, content) in files)
        {
            await instance.WriteFileAsync(account, path, Encoding.UTF8.GetBytes(content));
        }

        await instance.SetAdministratorPasswordAsync(account, password);
    }

    /// <summary>Bundles the instance into <paramref name="bucket"/> (created in <paramref name="bucketRegion"/>); returns <c>bucket/prefix.manifest.xml</c>.</summary>
    public async Task<string> BundleAsync(
        string instanceId,
        string bucket,
        string prefix,
        string account = ApiSiloFixture.Alice,
        string sealedFor = ApiSiloFixture.UsEast1,
        string bucketRegion = ApiSiloFixture.UsEast1)
    {
        var instance = Grains.GetGrain<IInstanceGrain>(instanceId);
        await instance.StopAsync(account, force: false);
        var snapshot = await instance.SnapshotDiskAsync(account);
        try
        {
            var signing = await Grains.GetGrain<IAccountGrain>(account).GetSigningCredentialsAsync();
            var ec2Certificate = await Grains.GetGrain<IRegionGrain>(sealedFor).GetEc2CertificatePemAsync();
            using var userCertificate = PemKeys.ParseCertificate(signing.CertificatePem);
            using var userKey = PemKeys.ParsePrivateKey(signing.PrivateKeyPem);
            using var ec2 = PemKeys.ParseCertificate(ec2Certificate);
            var parts = new MemoryPartStore();
            BundleResult result;
            await using (var disk = Blobs.OpenRead(snapshot.Disk.BlobHash))
            await using (var generalized = Sysprep.OpenGeneralized(disk))
            {
                result = await new BundleWriter(new BundleOptions
                {
                    Prefix = prefix,
                    User = account,
                    UserCertificate = userCertificate,
                    UserPrivateKey = userKey,
                    Ec2Certificate = ec2,
                    Architecture = "i386",
                    PartSize = PartSize,
                }).WriteAsync(generalized, parts);
            }

            await CreateBucketAsync(bucket, account, bucketRegion);
            foreach (var part in result.Parts)
            {
                await PutAsync(bucket, part.FileName, parts.Parts[part.FileName], account);
            }

            await PutAsync(bucket, result.ManifestFileName, Encoding.UTF8.GetBytes(result.ManifestXml), account);
            return $"{bucket}/{result.ManifestFileName}";
        }
        finally
        {
            await instance.StartAsync(account);
        }
    }

    /// <summary>
    /// <c>aws ec2 bundle-instance</c> through the SDK with the CLI's upload policy, polled with DescribeBundleTasks until
    /// complete, then the instance back to running. Returns the manifest's location.
    /// </summary>
    public async Task<string> BundleWithTaskAsync(Amazon.EC2.AmazonEC2Client ec2, string instanceId, string bucket, string prefix)
    {
        var started = await ec2.BundleInstanceAsync(BundleTasks.CliUploadPolicy.Request(instanceId, bucket, prefix, silo.Time.GetUtcNow(), ApiSiloFixture.AliceKey, ApiSiloFixture.AliceSecret));
        var watch = System.Diagnostics.Stopwatch.StartNew();
        while (true)
        {
            var task = (await ec2.DescribeBundleTasksAsync(new Amazon.EC2.Model.DescribeBundleTasksRequest { BundleIds = [started.BundleTask.BundleId] })).BundleTasks.Single();
            if (task.State.Value == "complete")
            {
                break;
            }

            task.State.Value.Should().NotBe("failed", task.BundleTaskError?.Message);
            watch.Elapsed.Should().BeLessThan(TimeSpan.FromSeconds(30), "a bundle task of a 1 MiB disk with no phase minimum finishes at once");
            await Task.Delay(10);
        }

        var instance = Grains.GetGrain<IInstanceGrain>(instanceId);
        while ((await instance.DescribeAsync(ApiSiloFixture.Alice)).State != InstanceStateName.Running)
        {
            watch.Elapsed.Should().BeLessThan(TimeSpan.FromSeconds(30), "the task restarts the instance");
            await Task.Delay(10);
        }

        return $"{bucket}/{prefix}.manifest.xml";
    }

    /// <summary>CreateBucket through S3 (a repeat create of one's own bucket in us-east-1 succeeds).</summary>
    public async Task CreateBucketAsync(string bucket, string account = ApiSiloFixture.Alice, string region = ApiSiloFixture.UsEast1)
    {
        if (await Grains.GetGrain<IBucketGrain>(bucket).FindAsync() is not null)
        {
            return;
        }

        using var s3 = S3(account, region);
        await s3.PutBucketAsync(new PutBucketRequest { BucketName = bucket, BucketRegionName = region == ApiSiloFixture.UsEast1 ? null : region });
    }

    public async Task PutAsync(string bucket, string key, byte[] content, string account = ApiSiloFixture.Alice)
    {
        using var s3 = S3(account);
        await s3.PutObjectAsync(new Amazon.S3.Model.PutObjectRequest { BucketName = bucket, Key = key, InputStream = new MemoryStream(content) });
    }

    public async Task<byte[]> GetAsync(string bucket, string key, string account = ApiSiloFixture.Alice)
    {
        using var s3 = S3(account);
        using var response = await s3.GetObjectAsync(bucket, key);
        using var buffer = new MemoryStream();
        await response.ResponseStream.CopyToAsync(buffer);
        return buffer.ToArray();
    }

    private Amazon.S3.AmazonS3Client S3(string account, string region = ApiSiloFixture.UsEast1) => account == ApiSiloFixture.Alice
        ? silo.S3(ApiSiloFixture.AliceKey, ApiSiloFixture.AliceSecret, region)
        : silo.S3(ApiSiloFixture.BobKey, ApiSiloFixture.BobSecret, region);

    public Task<ImageLaunchCache> LaunchCacheAsync(string imageId, string account = ApiSiloFixture.Alice)
        => Grains.GetGrain<IImageGrain>(imageId).DescribeLaunchCacheAsync(new Caller(account, ApiSiloFixture.UsEast1));

    public Task<byte[]> ReadFileAsync(string instanceId, string path, string account = ApiSiloFixture.Alice)
        => Grains.GetGrain<IInstanceGrain>(instanceId).ReadFileAsync(account, path);
}
