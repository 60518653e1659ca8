using System.Collections.Immutable;

namespace OrleansEc2.Grains.Images;

[GenerateSerializer, Alias("OrleansEc2.Grains.ImageGrainState")]
public sealed class ImageGrainState
{
    /// <summary>
    /// The disk instances of this image boot from, once made (a blob this image holds a reference to): a public image's
    /// synthetic disk, or a registered image's verified, unbundled disk.
    /// </summary>
    [Id(0)]
    public LaunchDisk? LaunchDisk { get; set; }

    /// <summary>A registered image's description (null for a public image of the configuration, or before registration).</summary>
    [Id(1)]
    public ImageDescription? Description { get; set; }

    /// <summary>Where a registered image's bundle is, and what its objects were when it was registered.</summary>
    [Id(2)]
    public RegisteredBundle? Bundle { get; set; }

    /// <summary>The accounts explicitly allowed to launch the image besides its owner.</summary>
    [Id(3)]
    public List<string> LaunchPermissionUserIds { get; set; } = [];

    /// <summary>The accounts (other than the owner) whose index lists the image, so a revoked share can be withdrawn.</summary>
    [Id(4)]
    public List<string> PublishedTo { get; set; } = [];

    /// <summary>How many times the bundle was unbundled into <see cref="LaunchDisk"/>.</summary>
    [Id(5)]
    public int Unbundles { get; set; }

    /// <summary>The digest of the RegisterImage request that made this image, so a retried request gets the same image.</summary>
    [Id(6)]
    public string? RegistrationHash { get; set; }

    /// <summary>
    /// A CopyImage's reservation (null for any other image): what the image is while its bundle is being copied, and
    /// what made it. Kept once the copy is available, failed or deregistered.
    /// </summary>
    [Id(7)]
    public PendingImage? Pending { get; set; }
}

/// <summary>
/// A registered bundle: its bucket, the manifest and part objects as they were at registration (a changed object is
/// a changed image, which must be registered again), and what the manifest says beyond the description.
/// </summary>
[GenerateSerializer, Immutable, Alias("OrleansEc2.Grains.RegisteredBundle")]
public sealed record RegisteredBundle(
    [property: Id(0)] string Bucket,
    [property: Id(1)] BundleObject Manifest,
    [property: Id(2)] ImmutableArray<BundleObject> Parts,
    [property: Id(3)] string ImageDigest,
    [property: Id(4)] long ImageSize,
    [property: Id(5)] string? KernelId,
    [property: Id(6)] string? RamdiskId,
    [property: Id(7)] ImmutableArray<string> ProductCodes,
    [property: Id(8)] ImmutableArray<ImageBlockDeviceMapping> BlockDeviceMappings);

/// <summary>One object of a bundle in its bucket: its key, the file name the manifest gives it, and its identity (blob and ETag).</summary>
[GenerateSerializer, Immutable, Alias("OrleansEc2.Grains.BundleObject")]
public sealed record BundleObject(
    [property: Id(0)] string Key,
    [property: Id(1)] string FileName,
    [property: Id(2)] string BlobHash,
    [property: Id(3)] string ETag);
