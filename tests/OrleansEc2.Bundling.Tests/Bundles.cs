namespace OrleansEc2.Bundling.Tests;

/// <summary>Bundle-making shortcuts for tests: small parts and blocks so that many of both are exercised quickly.</summary>
public static class Bundles
{
    public static BundleOptions Options(string prefix = "winami", int partSize = 4096, TestIdentity? user = null, TestIdentity? region = null) => new()
    {
        Prefix = prefix,
        User = "111122223333",
        UserCertificate = (user ?? TestIdentity.User).Certificate,
        UserPrivateKey = (user ?? TestIdentity.User).PrivateKey,
        Ec2Certificate = (region ?? TestIdentity.UsEast1).Certificate,
        PartSize = partSize,
        CompressionBlockSize = 64 * 1024,
        ModificationTime = new DateTimeOffset(2008, 10, 2, 9, 31, 44, TimeSpan.Zero),
    };

    public static async Task<(BundleResult Result, MemoryPartStore Parts)> BundleAsync(byte[] image, BundleOptions? options = null)
    {
        var parts = new MemoryPartStore();
        var result = await new BundleWriter(options ?? Options()).WriteAsync(new MemoryStream(image), parts);
        return (result, parts);
    }

    public static async Task<byte[]> UnbundleAsync(Manifest manifest, BundleKey key, IPartSource parts)
    {
        var output = new MemoryStream();
        await Unbundler.UnbundleAsync(manifest, key, parts, output);
        return output.ToArray();
    }

    /// <summary>Re-signs a changed manifest with the user's key, as a bundler that made a mistake would have.</summary>
    public static Manifest Resign(Manifest manifest, TestIdentity? signer = null) =>
        ManifestSerializer.SerializeAndSign(manifest, (signer ?? TestIdentity.User).PrivateKey);
}
