using System.Text;
using Amazon.S3;
using OrleansEc2.Api.Tests.Infrastructure;
using OrleansEc2.Api.Tests.S3;
using OrleansEc2.Bundling;
using OrleansEc2.Bundling.Disks;

namespace OrleansEc2.Api.Tests.Migrations;

/// <summary>
/// Bundles as ec2-bundle-image + an upload make them: a synthetic disk bundled with the account's signing credentials
/// (from <c>/_sim/</c>'s grains) for a region's EC2 certificate, uploaded with the AWS SDK's S3 client into a new
/// bucket of that region, the parts first and the manifest last.
/// </summary>
public static class ApiBundles
{
    public sealed record Uploaded(string Bucket, string ManifestKey, BundleResult Bundle, byte[] Disk);

    public static async Task<Uploaded> UploadAsync(ApiSiloFixture silo, string region, int seed, int partSize = 64 * 1024)
    {
        var grains = silo.Grains;
        byte[] disk;
        await using (var synthetic = SyntheticDisk.OpenRead(new SyntheticDiskSpec(1 << 20, seed, DiskPlatform.Windows)))
        {
            using var copy = new MemoryStream();
            await synthetic.CopyToAsync(copy);
            disk = copy.ToArray();
        }

        var credentials = await grains.GetGrain<IAccountGrain>(ApiSiloFixture.Alice).GetSigningCredentialsAsync();
        using var certificate = PemKeys.ParseCertificate(credentials.CertificatePem);
        using var key = PemKeys.ParsePrivateKey(credentials.PrivateKeyPem);
        using var ec2Certificate = PemKeys.ParseCertificate(await grains.GetGrain<IRegionGrain>(region).GetEc2CertificatePemAsync());
        var parts = new MemoryPartStore();
        var bundle = await new BundleWriter(new BundleOptions
        {
            Prefix = Ec2Scenario.UniqueName("winami"),
            User = ApiSiloFixture.Alice,
            UserCertificate = certificate,
            UserPrivateKey = key,
            Ec2Certificate = ec2Certificate,
            PartSize = partSize,
            MaxDegreeOfParallelism = 1,
        }).WriteAsync(new MemoryStream(disk), parts);

        using var s3 = silo.S3(region: region);
        var bucket = S3TestKit.UniqueBucket("bundles");
        await s3.PutBucketAsync(new Amazon.S3.Model.PutBucketRequest { BucketName = bucket, BucketRegionName = region });
        foreach (var part in bundle.Parts)
        {
            await S3TestKit.PutAsync(s3, bucket, part.FileName, parts.Parts[part.FileName]);
        }

        await S3TestKit.PutAsync(s3, bucket, bundle.ManifestFileName, Encoding.UTF8.GetBytes(bundle.ManifestXml), "text/xml");
        return new Uploaded(bucket, bundle.ManifestFileName, bundle, disk);
    }

    /// <summary>Downloads a bundle with the S3 client and unbundles it with a region's EC2 key, as a launch there would.</summary>
    public static async Task<byte[]> UnbundleInRegionAsync(ApiSiloFixture silo, string bucket, string manifestKey, string region)
    {
        using var s3 = silo.S3(region: region);
        var manifest = Manifest.Parse(Encoding.UTF8.GetString(await S3TestKit.ReadAllAsync(s3, bucket, manifestKey)));
        using var regionKey = PemKeys.ParsePrivateKey(await silo.Grains.GetGrain<IRegionGrain>(region).GetEc2PrivateKeyPemAsync());
        var output = new MemoryStream();
        await Unbundler.UnbundleAsync(manifest, ManifestVerifier.UnsealForRegion(manifest, regionKey, region), new S3Parts(s3, bucket, manifestKey[..(manifestKey.LastIndexOf('/') + 1)]), output);
        return output.ToArray();
    }

    /// <summary>Parts next to the manifest: in its folder (<c>""</c> or ending in <c>/</c>).</summary>
    private sealed class S3Parts(IAmazonS3 s3, string bucket, string folder) : IPartSource
    {
        public async Task<Stream> OpenPartAsync(string fileName, CancellationToken cancellationToken)
            => new MemoryStream(await S3TestKit.ReadAllAsync(s3, bucket, folder + fileName));
    }
}
