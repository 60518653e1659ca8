using System.Collections.Immutable;
using System.Text;
using OrleansEc2.Api.Tests.Infrastructure;
using OrleansEc2.Bundling;
using OrleansEc2.Bundling.Disks;

namespace OrleansEc2.Api.Tests.Migrations;

/// <summary>
/// Bundles in the silo as ec2-bundle-image + an upload make them: a synthetic disk bundled with the account's signing
/// credentials for a region's EC2 certificate, its parts and then its manifest put into a new bucket of the account.
/// </summary>
public static class ApiBundles
{
    public sealed record Uploaded(string Bucket, string ManifestKey, BundleResult Bundle, byte[] Disk);

    public static async Task<Uploaded> UploadAsync(IGrainFactory grains, IBlobStore blobs, string accountId, string region, int seed, int partSize = 64 * 1024)
    {
        var bucket = Ec2Scenario.UniqueName("bundles");
        await grains.GetGrain<IBucketGrain>(bucket).CreateAsync(accountId, region);
        byte[] disk;
        await using (var synthetic = SyntheticDisk.OpenRead(new SyntheticDiskSpec(1 << 20, seed, DiskPlatform.Windows)))
        {
            using var copy = new MemoryStream();
            await synthetic.CopyToAsync(copy);
            disk = copy.ToArray();
        }

        var credentials = await grains.GetGrain<IAccountGrain>(accountId).GetSigningCredentialsAsync();
        using var certificate = PemKeys.ParseCertificate(credentials.CertificatePem);
        using var key = PemKeys.ParsePrivateKey(credentials.PrivateKeyPem);
        using var ec2Certificate = PemKeys.ParseCertificate(await grains.GetGrain<IRegionGrain>(region).GetEc2CertificatePemAsync());
        var parts = new MemoryPartStore();
        var bundle = await new BundleWriter(new BundleOptions
        {
            Prefix = Ec2Scenario.UniqueName("winami"),
            User = accountId,
            UserCertificate = certificate,
            UserPrivateKey = key,
            Ec2Certificate = ec2Certificate,
            PartSize = partSize,
            MaxDegreeOfParallelism = 1,
        }).WriteAsync(new MemoryStream(disk), parts);

        foreach (var part in bundle.Parts)
        {
            await PutAsync(grains, blobs, accountId, bucket, part.FileName, parts.Parts[part.FileName]);
        }

        await PutAsync(grains, blobs, accountId, bucket, bundle.ManifestFileName, Encoding.UTF8.GetBytes(bundle.ManifestXml));
        return new Uploaded(bucket, bundle.ManifestFileName, bundle, disk);
    }

    /// <summary>Unbundles the bundle at <paramref name="bucket"/>/<paramref name="manifestKey"/> with a region's EC2 key, as a launch there would.</summary>
    public static async Task<byte[]> UnbundleInRegionAsync(IGrainFactory grains, IBlobStore blobs, string accountId, string bucket, string manifestKey, string region)
    {
        var info = await grains.GetGrain<IBucketGrain>(bucket).GetObjectAsync(accountId, manifestKey);
        string xml;
        await using (var stream = blobs.OpenRead(info.Blob.Hash))
        using (var reader = new StreamReader(stream))
        {
            xml = await reader.ReadToEndAsync();
        }

        var manifest = Manifest.Parse(xml);
        using var regionKey = PemKeys.ParsePrivateKey(await grains.GetGrain<IRegionGrain>(region).GetEc2PrivateKeyPemAsync());
        var output = new MemoryStream();
        await Unbundler.UnbundleAsync(manifest, ManifestVerifier.UnsealForRegion(manifest, regionKey, region), new BucketParts(grains, blobs, accountId, bucket), output);
        return output.ToArray();
    }

    private static async Task PutAsync(IGrainFactory grains, IBlobStore blobs, string accountId, string bucket, string key, byte[] content)
    {
        var blob = await blobs.PutAsync(new MemoryStream(content));
        await grains.GetGrain<IBucketGrain>(bucket).PutObjectAsync(accountId, new PutObjectRequest(key, blob, "application/octet-stream", ImmutableDictionary<string, string>.Empty, null));
    }

    private sealed class BucketParts(IGrainFactory grains, IBlobStore blobs, string accountId, string bucket) : IPartSource
    {
        public async Task<Stream> OpenPartAsync(string fileName, CancellationToken cancellationToken)
            => blobs.OpenRead((await grains.GetGrain<IBucketGrain>(bucket).GetObjectAsync(accountId, fileName)).Blob.Hash);
    }
}
