using System.Formats.Tar;
using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;
using OrleansEc2.Bundling;
using OrleansEc2.Grains.Regions;

namespace OrleansEc2.Grains.Images;

/// <summary>What registration learned from a bundle: its objects, its manifest, and what system is on its disk.</summary>
public sealed record CheckedBundle(RegisteredBundle Bundle, Manifest Manifest, Platform Platform);

/// <summary>
/// RegisterImage's checks of a bundle in a bucket, cheap whatever the image's size: the manifest is read and verified
/// (signature against its user's certificate, key unsealed by the region's EC2 key); the parts are only looked up (their
/// object identities recorded) and the first few kilobytes of the first part decrypted to see what system the disk holds.
/// Every refusal is an <see cref="Ec2Exception"/> worded for the user.
/// </summary>
public sealed class ManifestCheck(IGrainFactory grains, IBlobStore blobs, RegionCatalog catalog)
{
    /// <summary>A manifest of a thousand parts is about 150 KB; anything far bigger is not a manifest.</summary>
    public const long MaxManifestBytes = 4 * 1024 * 1024;

    /// <summary>How much of the first part is decrypted to read the disk's header (gzip and tar need a little room).</summary>
    private const int PeekBytes = 64 * 1024;

    public async Task<CheckedBundle> CheckAsync(Caller caller, ManifestLocation location)
    {
        var bucket = grains.GetGrain<IBucketGrain>(location.Bucket);
        var info = await bucket.FindAsync() ?? throw NotFound(location);
        if (info.OwnerId != caller.AccountId)
        {
            throw new Ec2Exception(
                Ec2ErrorCodes.InvalidManifest,
                $"HTTP 403 (Forbidden) response for URL {Url(location)}: check your S3 ACLs are correct (the bucket {location.Bucket} is not yours).");
        }

        if (info.Region != caller.Region)
        {
            throw new Ec2Exception(
                Ec2ErrorCodes.InvalidManifest,
                $"The manifest {location} is in a bucket in {info.Region}, not in {caller.Region}: an image is registered in the region of its bucket. "
                + $"Use ec2-migrate-image to move it to a bucket in {caller.Region} first.");
        }

        S3ObjectInfo manifestObject;
        try
        {
            manifestObject = await bucket.GetObjectAsync(caller.AccountId, location.Key);
        }
        catch (Ec2Exception e) when (e.Code is Ec2ErrorCodes.NoSuchKey or Ec2ErrorCodes.NoSuchBucket)
        {
            throw NotFound(location);
        }

        var manifest = ParseManifest(location, manifestObject);
        if (manifest.ImageType != "machine")
        {
            throw Invalid(location, $"it describes a {manifest.ImageType} image; only machine images can be registered.");
        }

        if (manifest.User != caller.AccountId)
        {
            throw Invalid(location, $"it was bundled by account {manifest.User}, not {caller.AccountId}: only the account that bundled an image can register it.");
        }

        await VerifySignatureAsync(location, manifest);
        var key = await UnsealAsync(caller.Region, location, manifest);

        var parts = await Task.WhenAll(manifest.Parts.Select(part => LocatePartAsync(bucket, caller.AccountId, location, part)));
        var platform = PeekPlatform(location, parts[0], key);
        var bundle = new RegisteredBundle(
            location.Bucket,
            new BundleObject(location.Key, Path.GetFileName(location.Key), manifestObject.Blob.Hash, manifestObject.ETag),
            [.. parts],
            manifest.Digest,
            manifest.Size,
            manifest.KernelId,
            manifest.RamdiskId,
            [.. manifest.ProductCodes],
            [.. manifest.BlockDeviceMappings.Select(m => new ImageBlockDeviceMapping(m.Virtual, m.Device))]);
        return new CheckedBundle(bundle, manifest, platform);
    }

    /// <summary>The manifest as stored in the blob store (the text of <paramref name="manifest"/>).</summary>
    public static Manifest ReadManifest(IBlobStore blobs, BundleObject manifest)
    {
        using var stream = blobs.OpenRead(manifest.BlobHash);
        using var reader = new StreamReader(stream, new UTF8Encoding(false, throwOnInvalidBytes: true));
        return Manifest.Parse(reader.ReadToEnd());
    }

    private Manifest ParseManifest(ManifestLocation location, S3ObjectInfo manifestObject)
    {
        if (manifestObject.Size > MaxManifestBytes)
        {
            throw Invalid(location, $"it is {manifestObject.Size} bytes long, too long for a bundle manifest.");
        }

        try
        {
            return ReadManifest(blobs, new BundleObject(location.Key, "", manifestObject.Blob.Hash, manifestObject.ETag));
        }
        catch (BundleException e)
        {
            throw Invalid(location, e.Message);
        }
        catch (DecoderFallbackException)
        {
            throw Invalid(location, "it is not UTF-8 text.");
        }
    }

    private async Task VerifySignatureAsync(ManifestLocation location, Manifest manifest)
    {
        string certificatePem;
        try
        {
            certificatePem = await grains.GetGrain<IAccountGrain>(manifest.User).GetSigningCertificatePemAsync();
        }
        catch (Ec2Exception e) when (e.Code == Ec2ErrorCodes.AuthFailure)
        {
            throw Invalid(location, $"its user {manifest.User} is not an account.");
        }

        using var certificate = PemKeys.ParseCertificate(certificatePem);
        try
        {
            ManifestVerifier.VerifySignature(manifest, certificate);
        }
        catch (BundleException e)
        {
            throw Invalid(location, e.Message);
        }
    }

    private async Task<BundleKey> UnsealAsync(string region, ManifestLocation location, Manifest manifest)
    {
        using (var ec2Key = PemKeys.ParsePrivateKey(await grains.GetGrain<IRegionGrain>(region).GetEc2PrivateKeyPemAsync()))
        {
            try
            {
                return ManifestVerifier.UnsealForRegion(manifest, ec2Key, region);
            }
            catch (BundleException e) when (e.Error == BundleError.KeyNotSealedForRegion)
            {
                // Falls through to name the region it was sealed for.
            }
        }

        foreach (var other in catalog.Regions.Where(r => r.RegionName != region))
        {
            using var otherKey = PemKeys.ParsePrivateKey(await grains.GetGrain<IRegionGrain>(other.RegionName).GetEc2PrivateKeyPemAsync());
            try
            {
                ManifestVerifier.UnsealForRegion(manifest, otherKey, other.RegionName);
                throw new Ec2Exception(
                    Ec2ErrorCodes.InvalidManifest,
                    $"The manifest {location} was bundled for {other.RegionName}; use ec2-migrate-image to move it to {region} first.");
            }
            catch (BundleException)
            {
                // Not this region's either.
            }
        }

        throw Invalid(location, $"its image key is not sealed to the EC2 certificate of {region} (nor of any other region): bundle the image again with the {region} EC2 certificate.");
    }

    private static async Task<BundleObject> LocatePartAsync(IBucketGrain bucket, string accountId, ManifestLocation location, ManifestPart part)
    {
        if (!PartNames.IsPlainFileName(part.FileName))
        {
            throw Invalid(location, $"part {part.Index} is named '{part.FileName}', which is not a plain file name.");
        }

        var key = location.PartKey(part.FileName);
        try
        {
            var stored = await bucket.GetObjectAsync(accountId, key);
            return new BundleObject(key, part.FileName, stored.Blob.Hash, stored.ETag);
        }
        catch (Ec2Exception e) when (e.Code == Ec2ErrorCodes.NoSuchKey)
        {
            throw Invalid(location, $"its part {part.FileName} is not in the bucket (no object {location.Bucket}/{key}).");
        }
    }

    /// <summary>Decrypts the start of the first part and reads the disk header inside the tar entry: which system it holds.</summary>
    private Platform PeekPlatform(ManifestLocation location, BundleObject firstPart, BundleKey key)
    {
        try
        {
            var cipher = new byte[PeekBytes];
            int read;
            using (var part = blobs.OpenRead(firstPart.BlobHash))
            {
                read = part.ReadAtLeast(cipher, cipher.Length, throwOnEndOfStream: false);
            }

            using var aes = Aes.Create();
            aes.Key = key.Key.ToArray();
            var plain = aes.DecryptCbc(cipher.AsSpan(0, read - (read % 16)), key.Iv, PaddingMode.None);
            using var gzip = new GZipStream(new MemoryStream(plain), CompressionMode.Decompress);
            using var tar = new TarReader(gzip);
            var data = tar.GetNextEntry()?.DataStream ?? throw new InvalidDataException("The bundle holds no file.");
            var header = new byte[DiskHeader.Length];
            data.ReadExactly(header);
            return DiskHeader.ReadPlatform(header) ?? throw new InvalidDataException("The bundled file is not a disk image.");
        }
        catch (Exception e) when (e is InvalidDataException or EndOfStreamException or FormatException or CryptographicException or IOException)
        {
            throw Invalid(location, $"its first part {firstPart.FileName} does not decrypt to a disk image with its image key ({e.Message}): the bundle is damaged; bundle the image again.");
        }
    }

    private static string Url(ManifestLocation location) => $"http://s3.amazonaws.com:80/{location.Bucket}/{location.Key}";

    private static Ec2Exception NotFound(ManifestLocation location) => new(
        Ec2ErrorCodes.InvalidManifest,
        $"HTTP 404 (Not Found) response for URL {Url(location)}: check your manifest path is correct and in the correct region.");

    private static Ec2Exception Invalid(ManifestLocation location, string why) => new(Ec2ErrorCodes.InvalidManifest, $"The manifest {location} is not valid: {why}");
}

/// <summary>
/// The first bytes of a simulated disk (see <c>OrleansEc2.Bundling/Disks/README.md</c>): the <c>OEC2DISK</c> magic, and
/// the platform byte at offset 28 (0 Linux, 1 Windows). Enough to tell what a bundle holds without unbundling it.
/// </summary>
internal static class DiskHeader
{
    public const int Length = 29;

    private const int PlatformOffset = 28;

    public static Platform? ReadPlatform(ReadOnlySpan<byte> header)
    {
        if (header.Length < Length || !header[..8].SequenceEqual("OEC2DISK"u8))
        {
            return null;
        }

        return header[PlatformOffset] switch
        {
            0 => Platform.Linux,
            1 => Platform.Windows,
            _ => null,
        };
    }
}
