using System.Collections.Immutable;
using OrleansEc2.Bundling;
using OrleansEc2.Bundling.Disks;

namespace OrleansEc2.Grains.Images;

/// <summary>An unbundled disk stored as a blob, and the system it holds.</summary>
public sealed record UnbundledDisk(BlobInfo Blob, Platform Platform);

/// <summary>
/// Turns a registered bundle back into its disk, in the blob store: every part is read by the blob it had at
/// registration and its SHA-1 checked against the manifest, the key is unsealed with the region's EC2 private key, and
/// the decrypted, inflated image's digest checked against the manifest's. Runs off any grain's turn: it reads and writes
/// as much as the disk is big.
/// </summary>
public static class BundleUnpacker
{
    /// <summary>
    /// Unbundles <paramref name="bundle"/> into a new blob that <paramref name="holder"/> refers to. Throws
    /// <see cref="BundleException"/> for a bad part or image, <see cref="DiskException"/> when the image is not a disk.
    /// </summary>
    public static async Task<UnbundledDisk> UnbundleAsync(
        IBlobStore blobs,
        RegisteredBundle bundle,
        string ec2PrivateKeyPem,
        string region,
        string holder,
        CancellationToken cancellationToken = default)
    {
        var manifest = ManifestCheck.ReadManifest(blobs, bundle.Manifest);
        if (manifest.Digest != bundle.ImageDigest)
        {
            throw new BundleException(BundleError.ImageDigestMismatch, $"The manifest's image digest is {manifest.Digest}, not the {bundle.ImageDigest} it had at registration.");
        }

        BundleKey key;
        using (var ec2Key = PemKeys.ParsePrivateKey(ec2PrivateKeyPem))
        {
            key = ManifestVerifier.UnsealForRegion(manifest, ec2Key, region);
        }

        var path = blobs.NewTemporaryPath();
        try
        {
            Platform platform;
            await using (var output = new FileStream(path, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, 1 << 16))
            {
                await Unbundler.UnbundleAsync(manifest, key, new BlobPartSource(blobs, bundle.Parts), output, progress: null, cancellationToken);
                await output.FlushAsync(cancellationToken);
                platform = (Platform)(int)DiskImage.Open(output).Platform;
            }

            var blob = await blobs.CommitTemporaryFileAsync(path, cancellationToken);

            // Referenced at once: the collector must not take the disk before the image's state points at it.
            await blobs.AddReferenceAsync(blob.Hash, holder);
            return new UnbundledDisk(blob, platform);
        }
        finally
        {
            File.Delete(path);
        }
    }

    /// <summary>Parts by file name, read from the blobs the bucket objects had at registration.</summary>
    private sealed class BlobPartSource(IBlobStore blobs, ImmutableArray<BundleObject> parts) : IPartSource
    {
        public Task<Stream> OpenPartAsync(string fileName, CancellationToken cancellationToken)
        {
            var part = parts.FirstOrDefault(p => p.FileName == fileName)
                ?? throw new BundleException(BundleError.PartMissing, $"Part {fileName} was not in the bucket at registration.") { PartFileName = fileName };
            return Task.FromResult(blobs.OpenRead(part.BlobHash));
        }
    }
}
