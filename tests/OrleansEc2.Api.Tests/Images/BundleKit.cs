using System.Collections.Immutable;
using System.Text;
using OrleansEc2.Api.Tests.Infrastructure;
using OrleansEc2.Bundling;
using OrleansEc2.Bundling.Disks;

namespace OrleansEc2.Api.Tests.Images;

/// <summary>
/// What a user does inside and around an instance before RegisterImage, on the silo of the fixture: writes files and
/// sets the password in the guest, then bundles it as <c>ec2-bundle-image</c> + <c>ec2-upload-bundle</c> do (stop,
/// snapshot, sysprep, bundle writer, parts then the manifest into a bucket, start again).
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
            var bucketGrain = Grains.GetGrain<IBucketGrain>(bucket);
            if (await bucketGrain.FindAsync() is null)
            {
                await bucketGrain.CreateAsync(account, bucketRegion);
            }

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

    public async Task PutAsync(string bucket, string key, byte[] content, string account = ApiSiloFixture.Alice)
    {
        var blob = await Blobs.PutAsync(new MemoryStream(content));
        await Grains.GetGrain<IBucketGrain>(bucket).PutObjectAsync(
            account,
            new PutObjectRequest(key, blob, "binary/octet-stream", ImmutableDictionary<string, string>.Empty, null));
    }

    public async Task<byte[]> GetAsync(string bucket, string key, string account = ApiSiloFixture.Alice)
    {
        var info = await Grains.GetGrain<IBucketGrain>(bucket).GetObjectAsync(account, key);
        await using var stream = Blobs.OpenRead(info.Blob.Hash);
        var bytes = new byte[info.Size];
        await stream.ReadExactlyAsync(bytes);
        return bytes;
    }

    public Task<ImageLaunchCache> LaunchCacheAsync(string imageId, string account = ApiSiloFixture.Alice)
        => Grains.GetGrain<IImageGrain>(imageId).DescribeLaunchCacheAsync(new Caller(account, ApiSiloFixture.UsEast1));

    public Task<byte[]> ReadFileAsync(string instanceId, string path, string account = ApiSiloFixture.Alice)
        => Grains.GetGrain<IInstanceGrain>(instanceId).ReadFileAsync(account, path);
}
