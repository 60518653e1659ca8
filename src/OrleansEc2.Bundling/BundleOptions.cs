using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace OrleansEc2.Bundling;

/// <summary>What to bundle an image as, and with which keys.</summary>
public sealed class BundleOptions
{
    /// <summary>10 MiB, the part size of the classic tools.</summary>
    public const int DefaultPartSize = 10 * 1024 * 1024;

    /// <summary>
    /// The zlib level of the compressor. zlib-ng (which .NET ships) at level 3 gives bundles within a few percent of
    /// <c>gzip -6</c> at several times its speed; see the bench's <c>bundle --levels</c> for the measurements.
    /// </summary>
    public const int DefaultCompressionLevel = 3;

    /// <summary>The bundle's name: the tar entry, <c>PREFIX.part.NN</c> and <c>PREFIX.manifest.xml</c>.</summary>
    public required string Prefix { get; init; }

    /// <summary>The bundling user's account id (<c>image/user</c>).</summary>
    public required string User { get; init; }

    /// <summary>The user's certificate: the image key is sealed to it too, so the user can unbundle.</summary>
    public required X509Certificate2 UserCertificate { get; init; }

    /// <summary>The user's private key, which signs the manifest.</summary>
    public required RSA UserPrivateKey { get; init; }

    /// <summary>The region's EC2 certificate: the image key is sealed to it, so that region can register and launch the image.</summary>
    public required X509Certificate2 Ec2Certificate { get; init; }

    /// <summary><c>i386</c> or <c>x86_64</c>.</summary>
    public string Architecture { get; init; } = "x86_64";

    /// <summary><c>machine</c>, <c>kernel</c> or <c>ramdisk</c>.</summary>
    public string ImageType { get; init; } = "machine";

    public string? KernelId { get; init; }

    public string? RamdiskId { get; init; }

    public IReadOnlyList<string> ProductCodes { get; init; } = [];

    public IReadOnlyList<BlockDeviceMapping> BlockDeviceMappings { get; init; } = [];

    public IReadOnlyList<string> AncestorAmiIds { get; init; } = [];

    public BundlerInfo Bundler { get; init; } = BundlerInfo.Default;

    /// <summary>The size of every part but the last.</summary>
    public int PartSize { get; init; } = DefaultPartSize;

    /// <summary>zlib compression level, 1 (fastest) to 9 (smallest).</summary>
    public int CompressionLevel { get; init; } = DefaultCompressionLevel;

    /// <summary>How many blocks are compressed at once.</summary>
    public int MaxDegreeOfParallelism { get; init; } = Environment.ProcessorCount;

    /// <summary>
    /// The image's length, required when the image stream can neither seek nor tell its <see cref="Stream.Length"/>;
    /// otherwise the stream's remaining length (or, when it cannot seek, its whole length) is used.
    /// </summary>
    public long? ImageLength { get; init; }

    /// <summary>The tar entry's modification time; <see cref="Clock"/>'s now when not given.</summary>
    public DateTimeOffset? ModificationTime { get; init; }

    /// <summary>Where "now" comes from (the simulation clock in the silo).</summary>
    public TimeProvider Clock { get; init; } = TimeProvider.System;

    /// <summary>The AES key and IV; a fresh random one when not given (leave it so outside of tests).</summary>
    public BundleKey? Key { get; init; }

    /// <summary>The unit of parallel compression; each block becomes an independent run of deflate blocks.</summary>
    internal int CompressionBlockSize { get; init; } = 1024 * 1024;

    internal void Validate()
    {
        if (!PartNames.IsPlainFileName(Prefix) || Prefix.Length > 200)
        {
            throw new ArgumentException($"The bundle prefix '{Prefix}' must be a plain file name of at most 200 characters.", nameof(Prefix));
        }

        if (string.IsNullOrWhiteSpace(User))
        {
            throw new ArgumentException("The bundling user's account id is required.", nameof(User));
        }

        if (PartSize < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(PartSize), PartSize, "The part size must be at least one byte.");
        }

        if (CompressionLevel is < 1 or > 9)
        {
            throw new ArgumentOutOfRangeException(nameof(CompressionLevel), CompressionLevel, "The compression level must be 1 to 9.");
        }

        if (MaxDegreeOfParallelism < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxDegreeOfParallelism), MaxDegreeOfParallelism, "At least one block must be compressed at a time.");
        }

        if (CompressionBlockSize < 64 * 1024)
        {
            throw new ArgumentOutOfRangeException(nameof(CompressionBlockSize), CompressionBlockSize, "Compression blocks are at least 64 KiB.");
        }
    }
}

/// <summary>How far a bundle has got: image bytes consumed out of the image size, and parts written so far.</summary>
public readonly record struct BundleProgress(long BytesRead, long ImageSize, int PartsWritten, long BundledBytes)
{
    /// <summary>The share of the image consumed, 0 to 1.</summary>
    public double Fraction => ImageSize == 0 ? 1 : (double)BytesRead / ImageSize;
}

/// <summary>A written bundle: its signed manifest (with <see cref="Manifest.Text"/>, to be stored last) and its parts.</summary>
public sealed record BundleResult(Manifest Manifest, IReadOnlyList<BundlePart> Parts)
{
    /// <summary>The manifest's XML text, to store as <see cref="ManifestFileName"/> after all the parts.</summary>
    public string ManifestXml => Manifest.Text!;

    public string ManifestFileName => Manifest.FileName;
}
