using System.Collections.Immutable;
using OrleansEc2.Bundling;
using OrleansEc2.Bundling.Disks;

namespace OrleansEc2.Grains.Tests.Migrations;

/// <summary>
/// Bundles as ec2-bundle-image + an upload make them: a disk bundled with the account's signing credentials for a
/// region's EC2 certificate, its parts and then its manifest put into a bucket.
/// </summary>
public static class BundleUploads
{
    public const int SmallPartSize = 16 * 1024;

    public static async Task<BucketInfo> CreateBucketAsync(IGrainFactory grains, string accountId, string region, string? name = null)
        => await grains.GetGrain<IBucketGrain>(name ?? Scenario.Unique("bundles")).CreateAsync(accountId, region);

    /// <summary>A small synthetic Windows disk (1 MiB by default), its bytes, for bundling and comparing.</summary>
    public static byte[] SyntheticDisk(int seed, long size = 1 << 20)
    {
        using var disk = Bundling.Disks.SyntheticDisk.OpenRead(new SyntheticDiskSpec(size, seed, DiskPlatform.Windows));
        using var copy = new MemoryStream();
        disk.CopyTo(copy);
        return copy.ToArray();
    }

    /// <summary>
    /// Bundles <paramref name="disk"/> for <paramref name="region"/>'s EC2 certificate, signed with
    /// <paramref name="signer"/> (the account's own credentials by default), into <paramref name="bucket"/> under
    /// <paramref name="folder"/>: parts first, the manifest last. Returns the bundle and the manifest's key.
    /// </summary>
    public static async Task<(BundleResult Bundle, string ManifestKey)> UploadAsync(
        IGrainFactory grains,
        IBlobStore blobs,
        string accountId,
        string bucket,
        string region,
        Stream disk,
        string? prefix = null,
        int partSize = SmallPartSize,
        SigningCredentials? signer = null,
        string folder = "")
    {
        signer ??= await grains.GetGrain<IAccountGrain>(accountId).GetSigningCredentialsAsync();
        var ec2Certificate = await grains.GetGrain<IRegionGrain>(region).GetEc2CertificatePemAsync();
        using var userCertificate = PemKeys.ParseCertificate(signer.CertificatePem);
        using var userKey = PemKeys.ParsePrivateKey(signer.PrivateKeyPem);
        using var regionCertificate = PemKeys.ParseCertificate(ec2Certificate);
        var sink = new MemoryPartStore();
        var result = await new BundleWriter(new BundleOptions
        {
            Prefix = prefix ?? Scenario.Unique("winami"),
            User = accountId,
            UserCertificate = userCertificate,
            UserPrivateKey = userKey,
            Ec2Certificate = regionCertificate,
            PartSize = partSize,
            MaxDegreeOfParallelism = 1,
        }).WriteAsync(disk, sink);

        var bucketGrain = grains.GetGrain<IBucketGrain>(bucket);
        foreach (var part in result.Parts)
        {
            await PutAsync(bucketGrain, blobs, accountId, folder + part.FileName, sink.Parts[part.FileName], "application/octet-stream");
        }

        var manifestKey = folder + result.ManifestFileName;
        await PutAsync(bucketGrain, blobs, accountId, manifestKey, System.Text.Encoding.UTF8.GetBytes(result.ManifestXml), "text/xml");
        return (result, manifestKey);
    }

    public static async Task<S3ObjectInfo> PutAsync(IBucketGrain bucket, IBlobStore blobs, string accountId, string key, byte[] content, string contentType)
    {
        var blob = await blobs.PutAsync(new MemoryStream(content));
        return await bucket.PutObjectAsync(accountId, new PutObjectRequest(key, blob, contentType, ImmutableDictionary<string, string>.Empty, null));
    }

    public static async Task<string> ReadTextAsync(IGrainFactory grains, IBlobStore blobs, string accountId, string bucket, string key)
    {
        var info = await grains.GetGrain<IBucketGrain>(bucket).GetObjectAsync(accountId, key);
        await using var stream = blobs.OpenRead(info.Blob.Hash);
        using var reader = new StreamReader(stream);
        return await reader.ReadToEndAsync();
    }

    /// <summary>Unbundles the bundle whose manifest is at <paramref name="bucket"/>/<paramref name="manifestKey"/> with a region's EC2 key, as a launch there would.</summary>
    public static async Task<byte[]> UnbundleInRegionAsync(IGrainFactory grains, IBlobStore blobs, string accountId, string bucket, string manifestKey, string region)
    {
        var manifest = Manifest.Parse(await ReadTextAsync(grains, blobs, accountId, bucket, manifestKey));
        using var regionKey = PemKeys.ParsePrivateKey(await grains.GetGrain<IRegionGrain>(region).GetEc2PrivateKeyPemAsync());
        var key = ManifestVerifier.UnsealForRegion(manifest, regionKey, region);
        var output = new MemoryStream();
        var folder = manifestKey[..(manifestKey.LastIndexOf('/') + 1)];
        await Unbundler.UnbundleAsync(manifest, key, new BucketPartSource(grains, blobs, accountId, bucket, folder), output);
        return output.ToArray();
    }

    /// <summary>Parts read from a bucket's objects (what a launch reads).</summary>
    private sealed class BucketPartSource(IGrainFactory grains, IBlobStore blobs, string accountId, string bucket, string folder) : IPartSource
    {
        public async Task<Stream> OpenPartAsync(string fileName, CancellationToken cancellationToken)
        {
            var info = await grains.GetGrain<IBucketGrain>(bucket).GetObjectAsync(accountId, folder + fileName);
            return blobs.OpenRead(info.Blob.Hash);
        }
    }
}
