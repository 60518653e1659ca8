using System.Collections.Immutable;

namespace OrleansEc2;

/// <summary>Image states as EC2 spells them.</summary>
[GenerateSerializer, Alias("OrleansEc2.ImageState")]
public enum ImageState
{
    Pending = 0,
    Available = 1,
    Failed = 2,
    Deregistered = 3,
}

public static class ImageStates
{
    public static string ToEc2Name(this ImageState state) => state switch
    {
        ImageState.Pending => "pending",
        ImageState.Available => "available",
        ImageState.Failed => "failed",
        ImageState.Deregistered => "deregistered",
        _ => throw new ArgumentOutOfRangeException(nameof(state), state, null),
    };

    /// <summary>
    /// A state reason as EC2 words one: the message begins with its code (<c>Server.InternalError: …</c>), so the code
    /// is the part before the first <c>": "</c>; a reason without one has the image's state as its code.
    /// </summary>
    public static string StateReasonCode(this ImageDescription image)
    {
        ArgumentNullException.ThrowIfNull(image);
        if (image.StateReason is { } reason && reason.IndexOf(": ", StringComparison.Ordinal) is > 0 and var colon && !reason.AsSpan(0, colon).Contains(' '))
        {
            return reason[..colon];
        }

        return image.State.ToEc2Name();
    }
}

/// <summary>
/// An AMI as DescribeImages shows it. <see cref="StateReason"/> is worded as EC2 words one, <c>Code: message</c>
/// (<see cref="ImageStates.StateReasonCode"/> gives the code).
/// </summary>
[GenerateSerializer, Immutable, Alias("OrleansEc2.ImageDescription")]
public sealed record ImageDescription(
    [property: Id(0)] string ImageId,
    [property: Id(1)] string Region,
    [property: Id(2)] string OwnerId,
    [property: Id(3)] string? OwnerAlias,
    [property: Id(4)] string Name,
    [property: Id(5)] string? Description,
    [property: Id(6)] string Architecture,
    [property: Id(7)] Platform Platform,
    [property: Id(8)] ImageState State,
    [property: Id(9)] string ImageLocation,
    [property: Id(10)] bool IsPublic,
    [property: Id(11)] DateTimeOffset CreationDate,
    [property: Id(12)] string? StateReason,
    [property: Id(13)] ImmutableArray<Tag> Tags)
{
    public const string ImageType = "machine";

    public const string RootDeviceType = "instance-store";
}

/// <summary>DescribeImages' question: image ids, owners (<c>self</c>, <c>amazon</c>, account ids), executable-by, filters.</summary>
[GenerateSerializer, Immutable, Alias("OrleansEc2.ImageQuery")]
public sealed record ImageQuery(
    [property: Id(0)] ImmutableArray<string> ImageIds,
    [property: Id(1)] ImmutableArray<string> Owners,
    [property: Id(2)] ImmutableArray<string> ExecutableBy,
    [property: Id(3)] ImmutableArray<Ec2Filter> Filters);

/// <summary>
/// One AMI (<c>ami-</c> + 17 hex): a public image seeded from configuration, one registered from a bundle's manifest,
/// or a CopyImage's copy (pending while its bundle is copied, then available or failed). An image the caller may not
/// see answers <c>InvalidAMIID.NotFound</c>; one it may see but not change answers <c>AuthFailure</c>; a deregistered,
/// pending or failed one answers <c>InvalidAMIID.Unavailable</c> to a launch.
/// </summary>
public interface IImageGrain : IGrainWithStringKey
{
    Task<ImageDescription> DescribeAsync(Caller caller);

    /// <summary>
    /// The disk an instance of this image boots from, for <paramref name="caller"/> (who must be allowed to launch it, in
    /// the image's region).
    /// </summary>
    Task<LaunchDisk> ResolveLaunchDiskAsync(Caller caller);

    /// <summary>
    /// RegisterImage, on a fresh image id: reads the manifest from the caller's bucket in the caller's region, checks
    /// its signature against the certificate of its <c>&lt;user&gt;</c> (who must be the caller) and that this region's
    /// EC2 key unseals the image key, and records the manifest's and each part's object identity (parts are not read
    /// until a launch). <c>InvalidManifest</c>, <c>InvalidParameterValue</c>, <c>InvalidAMIName.Malformed</c> or
    /// <c>InvalidAMIName.Duplicate</c> otherwise. Repeating the same request on the same id returns the same image.
    /// </summary>
    Task<ImageDescription> RegisterAsync(RegisterImageRequest request);

    /// <summary>DeregisterImage (the owner only): the image leaves DescribeImages and its unbundled disk is dropped.</summary>
    Task DeregisterAsync(Caller caller);

    /// <summary>DescribeImageAttribute: <paramref name="attribute"/> is what was asked (only the owner may read the launch permission).</summary>
    Task<ImageAttributes> DescribeAttributesAsync(Caller caller, ImageAttributeName attribute);

    /// <summary>ModifyImageAttribute of the launch permission (the owner only); the accounts it is shared with see the image.</summary>
    Task<ImageLaunchPermissions> ModifyLaunchPermissionAsync(Caller caller, LaunchPermissionModification modification);

    /// <summary>ModifyImageAttribute of the description (the owner only; at most 255 characters).</summary>
    Task<ImageDescription> ModifyDescriptionAsync(Caller caller, string description);

    /// <summary>ResetImageAttribute of the launch permission (the owner only): back to the owner alone.</summary>
    Task ResetLaunchPermissionAsync(Caller caller);

    /// <summary>The disk the image keeps for launches and how many unbundles made it (for whoever may see the image).</summary>
    Task<ImageLaunchCache> DescribeLaunchCacheAsync(Caller caller);

    /// <summary>
    /// CopyImage, on a fresh image id: records the copy as pending and claims its name in the owner's index
    /// (<c>InvalidAMIName.Duplicate</c>, leaving nothing behind). A pending image is its owner's alone: it can be
    /// described (DescribeAsync, DescribeAttributesAsync) and deregistered, which cancels the copy; a launch or a change
    /// answers <c>InvalidAMIID.Unavailable</c>. The same reservation again answers the image as it stands.
    /// </summary>
    Task<ImageDescription> ReservePendingAsync(PendingImage pending);

    /// <summary>
    /// The pending copy's bundle is in place at the reserved location: registers it (RegisterAsync's checks, as its
    /// owner) and it becomes available. Repeated, answers the available image; <c>InvalidAMIID.Unavailable</c> when the
    /// image was deregistered meanwhile (the copy is cancelled) or has failed. A refused check leaves it pending.
    /// </summary>
    Task<ImageDescription> CompletePendingAsync();

    /// <summary>
    /// The pending copy failed: it shows as failed, with <paramref name="reason"/> as its state reason, until it is
    /// deregistered (which frees its name). An image that is no longer pending is left as it is and answered.
    /// </summary>
    Task<ImageDescription> FailPendingAsync(string reason);

    /// <summary>
    /// Undoes a reservation whose CopyImage was never accepted: the pending image is forgotten and its name freed.
    /// Nothing happens to an image that is not pending (or not there).
    /// </summary>
    Task WithdrawPendingAsync();
}

/// <summary>
/// What RunInstances asks for. <see cref="SecurityGroupNames"/> (<c>SecurityGroup.N</c>) and
/// <see cref="SecurityGroupIds"/> (<c>SecurityGroupId.N</c>) name the groups (none: the default group);
/// <see cref="UserData"/> is base64, at most 16 KiB decoded.
/// </summary>
[GenerateSerializer, Immutable, Alias("OrleansEc2.RunInstancesRequest")]
public sealed record RunInstancesRequest(
    [property: Id(0)] Caller Caller,
    [property: Id(1)] string ImageId,
    [property: Id(2)] int MinCount,
    [property: Id(3)] int MaxCount,
    [property: Id(4)] string InstanceType,
    [property: Id(5)] string? KeyName,
    [property: Id(6)] string? AvailabilityZone,
    [property: Id(7)] string? ClientToken,
    [property: Id(8)] ImmutableArray<Tag> InstanceTags,
    [property: Id(9)] ImmutableArray<string> SecurityGroupNames = default,
    [property: Id(10)] ImmutableArray<string> SecurityGroupIds = default,
    [property: Id(11)] string? UserData = null,
    [property: Id(12)] string? KernelId = null,
    [property: Id(13)] string? RamdiskId = null,
    [property: Id(14)] bool MonitoringEnabled = false,
    [property: Id(15)] bool EbsOptimized = false,
    [property: Id(16)] bool DisableApiTermination = false,
    [property: Id(17)] ShutdownBehavior InstanceInitiatedShutdownBehavior = ShutdownBehavior.Stop);

/// <summary>A reservation: the instances one RunInstances launched, and the security groups they were launched in.</summary>
[GenerateSerializer, Immutable, Alias("OrleansEc2.Reservation")]
public sealed record Reservation(
    [property: Id(0)] string ReservationId,
    [property: Id(1)] string OwnerId,
    [property: Id(2)] ImmutableArray<InstanceDescription> Instances,
    [property: Id(3)] ImmutableArray<GroupIdentifier> Groups = default);

/// <summary>
/// One reservation (<c>r-</c> + 17 hex): runs a RunInstances request once. Validates everything before launching
/// anything, so a refused request leaves nothing behind; a repeated client token returns the first reservation.
/// </summary>
public interface IReservationGrain : IGrainWithStringKey
{
    Task<Reservation> RunInstancesAsync(RunInstancesRequest request);
}
