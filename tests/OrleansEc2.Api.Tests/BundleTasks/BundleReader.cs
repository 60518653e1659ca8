using System.Text;
using OrleansEc2.Bundling;

namespace OrleansEc2.Api.Tests.BundleTasks;

/// <summary>Reads a stored bundle back from the silo (bucket objects → blobs) and checks it as registration would.</summary>
public static class BundleReader
{
    public static async Task<(Manifest Manifest, MemoryPartStore Parts, IReadOnlyList<string> Keys)> ReadAsync(
        IGrainFactory grains, IBlobStore blobs, string account, string bucket, string prefix)
    {
        var listing = await grains.GetGrain<IBucketGrain>(bucket).ListObjectsAsync(account, new ListObjectsQuery(prefix, null, 1000, null));
        var store = new MemoryPartStore();
        foreach (var item in listing.Objects)
        {
            await using var stream = blobs.OpenRead(item.Blob.Hash);
            var bytes = new MemoryStream();
            await stream.CopyToAsync(bytes);
            store.Put(item.Key, bytes.ToArray());
        }

        var manifest = Manifest.Parse(Encoding.UTF8.GetString(store.Parts[PartNames.ManifestFor(prefix)]));
        return (manifest, store, [.. listing.Objects.Select(o => o.Key)]);
    }

    /// <summary>The user's signature, the region's key, every part's digest; then the image bytes.</summary>
    public static async Task<byte[]> VerifyAndUnbundleAsync(IGrainFactory grains, Manifest manifest, MemoryPartStore parts, string account, string region)
    {
        using var certificate = PemKeys.ParseCertificate(await grains.GetGrain<IAccountGrain>(account).GetSigningCertificatePemAsync());
        ManifestVerifier.VerifySignature(manifest, certificate);
        using var ec2Key = PemKeys.ParsePrivateKey(await grains.GetGrain<IRegionGrain>(region).GetEc2PrivateKeyPemAsync());
        var key = ManifestVerifier.UnsealForRegion(manifest, ec2Key, region);
        await ManifestVerifier.VerifyPartsAsync(manifest, parts);
        var image = new MemoryStream();
        await Unbundler.UnbundleAsync(manifest, key, parts, image);
        return image.ToArray();
    }
}
