using System.Collections.Immutable;

namespace OrleansEc2;

/// <summary>
/// RegisterImage's question: the manifest's location (<c>bucket/PREFIX.manifest.xml</c>, or with a folder
/// <c>bucket/folder/PREFIX.manifest.xml</c>), the AMI's name (3 to 128 characters, unique among the account's images in
/// the region), an optional description (at most 255 characters) and architecture (<c>i386</c> or <c>x86_64</c>; the
/// manifest's when not given).
/// </summary>
[GenerateSerializer, Immutable, Alias("OrleansEc2.RegisterImageRequest")]
public sealed record RegisterImageRequest(
    [property: Id(0)] Caller Caller,
    [property: Id(1)] string ImageLocation,
    [property: Id(2)] string Name,
    [property: Id(3)] string? Description,
    [property: Id(4)] string? Architecture);

/// <summary>Who may launch an image besides its owner: account ids, and the group <c>all</c> (a public image).</summary>
[GenerateSerializer, Immutable, Alias("OrleansEc2.ImageLaunchPermissions")]
public sealed record ImageLaunchPermissions(
    [property: Id(0)] ImmutableArray<string> UserIds,
    [property: Id(1)] bool IsPublic);

/// <summary>
/// ModifyImageAttribute's change of the launch permission: account ids (12 digits) to add and remove, and whether to
/// add or remove the group <c>all</c>. Removals apply after additions, as EC2 applies them.
/// </summary>
[GenerateSerializer, Immutable, Alias("OrleansEc2.LaunchPermissionModification")]
public sealed record LaunchPermissionModification(
    [property: Id(0)] ImmutableArray<string> AddUserIds,
    [property: Id(1)] bool AddGroupAll,
    [property: Id(2)] ImmutableArray<string> RemoveUserIds,
    [property: Id(3)] bool RemoveGroupAll);

/// <summary>The image attributes DescribeImageAttribute can ask for.</summary>
[GenerateSerializer, Alias("OrleansEc2.ImageAttributeName")]
public enum ImageAttributeName
{
    Description = 0,
    Kernel = 1,
    Ramdisk = 2,
    LaunchPermission = 3,
    ProductCodes = 4,
    BlockDeviceMapping = 5,
}

public static class ImageAttributeNames
{
    /// <summary>The attribute as EC2 spells it (<c>launchPermission</c>).</summary>
    public static string ToEc2Name(this ImageAttributeName attribute) => attribute switch
    {
        ImageAttributeName.Description => "description",
        ImageAttributeName.Kernel => "kernel",
        ImageAttributeName.Ramdisk => "ramdisk",
        ImageAttributeName.LaunchPermission => "launchPermission",
        ImageAttributeName.ProductCodes => "productCodes",
        ImageAttributeName.BlockDeviceMapping => "blockDeviceMapping",
        _ => throw new ArgumentOutOfRangeException(nameof(attribute), attribute, null),
    };

    public static bool TryParse(string ec2Name, out ImageAttributeName attribute)
    {
        foreach (var candidate in Enum.GetValues<ImageAttributeName>())
        {
            if (candidate.ToEc2Name() == ec2Name)
            {
                attribute = candidate;
                return true;
            }
        }

        attribute = default;
        return false;
    }
}

/// <summary>A default block device mapping an image's manifest declares (<c>ami</c> → <c>sda1</c>, <c>ephemeral0</c> → <c>sda2</c>).</summary>
[GenerateSerializer, Immutable, Alias("OrleansEc2.ImageBlockDeviceMapping")]
public sealed record ImageBlockDeviceMapping(
    [property: Id(0)] string VirtualName,
    [property: Id(1)] string DeviceName);

/// <summary>
/// DescribeImageAttribute's answer: every attribute of the image. <see cref="LaunchPermissions"/> is only given to the
/// owner (others asking for it get <c>AuthFailure</c>).
/// </summary>
[GenerateSerializer, Immutable, Alias("OrleansEc2.ImageAttributes")]
public sealed record ImageAttributes(
    [property: Id(0)] string ImageId,
    [property: Id(1)] string? Description,
    [property: Id(2)] string? KernelId,
    [property: Id(3)] string? RamdiskId,
    [property: Id(4)] ImmutableArray<string> ProductCodes,
    [property: Id(5)] ImmutableArray<ImageBlockDeviceMapping> BlockDeviceMappings,
    [property: Id(6)] ImageLaunchPermissions? LaunchPermissions);

/// <summary>
/// The disk instances of an image boot from, as the image keeps it: the verified, unbundled disk (null until the
/// first launch needs it, or after deregistration) and how many times the bundle was unbundled to make it.
/// </summary>
[GenerateSerializer, Immutable, Alias("OrleansEc2.ImageLaunchCache")]
public sealed record ImageLaunchCache(
    [property: Id(0)] string ImageId,
    [property: Id(1)] LaunchDisk? Disk,
    [property: Id(2)] int Unbundles);

/// <summary>
/// CopyImage's new image, reserved in the destination region while its bundle is copied there: its owner (account and
/// destination region), name, description, the source's architecture and platform, where its manifest is being
/// written (<c>bucket/key</c>), the migration that copies it, when the copy began, and what the manifest says beyond
/// the description (so that DescribeImageAttribute answers while the copy is pending).
/// </summary>
[GenerateSerializer, Immutable, Alias("OrleansEc2.PendingImage")]
public sealed record PendingImage(
    [property: Id(0)] Caller Owner,
    [property: Id(1)] string Name,
    [property: Id(2)] string? Description,
    [property: Id(3)] string Architecture,
    [property: Id(4)] Platform Platform,
    [property: Id(5)] string ImageLocation,
    [property: Id(6)] string MigrationId,
    [property: Id(7)] DateTimeOffset CreationDate,
    [property: Id(8)] string? KernelId,
    [property: Id(9)] string? RamdiskId,
    [property: Id(10)] ImmutableArray<string> ProductCodes,
    [property: Id(11)] ImmutableArray<ImageBlockDeviceMapping> BlockDeviceMappings);
