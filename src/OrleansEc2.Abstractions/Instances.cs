using System.Collections.Immutable;

namespace OrleansEc2;

/// <summary>EC2 instance states; the numeric value is EC2's state code.</summary>
[GenerateSerializer, Alias("OrleansEc2.InstanceStateName")]
public enum InstanceStateName
{
    Pending = 0,
    Running = 16,
    ShuttingDown = 32,
    Terminated = 48,
    Stopping = 64,
    Stopped = 80,
}

public static class InstanceStateNames
{
    /// <summary>The state's name as EC2 spells it (<c>shutting-down</c>).</summary>
    public static string ToEc2Name(this InstanceStateName state) => state switch
    {
        InstanceStateName.Pending => "pending",
        InstanceStateName.Running => "running",
        InstanceStateName.ShuttingDown => "shutting-down",
        InstanceStateName.Terminated => "terminated",
        InstanceStateName.Stopping => "stopping",
        InstanceStateName.Stopped => "stopped",
        _ => throw new ArgumentOutOfRangeException(nameof(state), state, null),
    };

    public static int ToCode(this InstanceStateName state) => (int)state;

    public static bool TryParse(string ec2Name, out InstanceStateName state)
    {
        foreach (var candidate in Enum.GetValues<InstanceStateName>())
        {
            if (candidate.ToEc2Name() == ec2Name)
            {
                state = candidate;
                return true;
            }
        }

        state = default;
        return false;
    }
}

/// <summary>A state the instance is moving to, and when (on the simulation clock) it gets there.</summary>
[GenerateSerializer, Immutable, Alias("OrleansEc2.PendingTransition")]
public sealed record PendingTransition(
    [property: Id(0)] InstanceStateName Target,
    [property: Id(1)] DateTimeOffset CompletesAt);

/// <summary>
/// An instance as DescribeInstances shows it. <see cref="State"/> is the state as of the last change;
/// <see cref="Transition"/>, when set, is where it is going and when it arrives: <see cref="At"/> gives the
/// state at a given time, so a reader never has to wake the instance grain to see a finished boot.
/// The launch options at the end were added later: a description stored before them reads as an instance in no
/// recorded group (<see cref="ClassicSecurityGroups.Of"/> gives it the default group), with no kernel or RAM disk,
/// monitoring off, not EBS-optimized, unprotected, stopping when the guest shuts down.
/// </summary>
[GenerateSerializer, Immutable, Alias("OrleansEc2.InstanceDescription")]
public sealed record InstanceDescription(
    [property: Id(0)] string InstanceId,
    [property: Id(1)] string AccountId,
    [property: Id(2)] string Region,
    [property: Id(3)] string AvailabilityZone,
    [property: Id(4)] string ReservationId,
    [property: Id(5)] string ImageId,
    [property: Id(6)] string InstanceType,
    [property: Id(7)] string? KeyName,
    [property: Id(8)] Platform Platform,
    [property: Id(9)] InstanceStateName State,
    [property: Id(10)] PendingTransition? Transition,
    [property: Id(11)] DateTimeOffset LaunchTime,
    [property: Id(12)] int AmiLaunchIndex,
    [property: Id(13)] string PrivateIpAddress,
    [property: Id(14)] string PrivateDnsName,
    [property: Id(15)] string? ComputerName,
    [property: Id(16)] string? MacAddress,
    [property: Id(17)] string? Sid,
    [property: Id(18)] string? ClientToken,
    [property: Id(19)] string? StateTransitionReason,
    [property: Id(20)] DateTimeOffset? TerminatedAt,
    [property: Id(21)] ImmutableArray<Tag> Tags,
    [property: Id(22)] ImmutableArray<GroupIdentifier> SecurityGroups = default,
    [property: Id(23)] string? KernelId = null,
    [property: Id(24)] string? RamdiskId = null,
    [property: Id(25)] bool MonitoringEnabled = false,
    [property: Id(26)] bool EbsOptimized = false,
    [property: Id(27)] bool DisableApiTermination = false,
    [property: Id(28)] ShutdownBehavior InstanceInitiatedShutdownBehavior = ShutdownBehavior.Stop)
{
    /// <summary>The description as it stands at <paramref name="now"/>: a due transition has completed.</summary>
    public InstanceDescription At(DateTimeOffset now)
    {
        if (Transition is null || now < Transition.CompletesAt)
        {
            return this;
        }

        return this with
        {
            State = Transition.Target,
            Transition = null,
            TerminatedAt = Transition.Target == InstanceStateName.Terminated ? Transition.CompletesAt : TerminatedAt,
        };
    }
}

/// <summary>One instance's move, as Start/Stop/TerminateInstances answer it.</summary>
[GenerateSerializer, Immutable, Alias("OrleansEc2.InstanceStateChange")]
public sealed record InstanceStateChange(
    [property: Id(0)] string InstanceId,
    [property: Id(1)] InstanceStateName Previous,
    [property: Id(2)] InstanceStateName Current);

/// <summary>What RunInstances asks one instance grain to become; <see cref="UserData"/> is canonical base64 (or null).</summary>
[GenerateSerializer, Immutable, Alias("OrleansEc2.InstanceLaunchSpec")]
public sealed record InstanceLaunchSpec(
    [property: Id(0)] string AccountId,
    [property: Id(1)] string Region,
    [property: Id(2)] string AvailabilityZone,
    [property: Id(3)] string ReservationId,
    [property: Id(4)] int AmiLaunchIndex,
    [property: Id(5)] string ImageId,
    [property: Id(6)] string InstanceType,
    [property: Id(7)] string? KeyName,
    [property: Id(8)] string? KeyPublicKeyPem,
    [property: Id(9)] LaunchDisk Disk,
    [property: Id(10)] string? ClientToken,
    [property: Id(11)] ImmutableArray<Tag> Tags,
    [property: Id(12)] ImmutableArray<GroupIdentifier> SecurityGroups = default,
    [property: Id(13)] string? UserData = null,
    [property: Id(14)] string? KernelId = null,
    [property: Id(15)] string? RamdiskId = null,
    [property: Id(16)] bool MonitoringEnabled = false,
    [property: Id(17)] bool EbsOptimized = false,
    [property: Id(18)] bool DisableApiTermination = false,
    [property: Id(19)] ShutdownBehavior InstanceInitiatedShutdownBehavior = ShutdownBehavior.Stop);

/// <summary>The disk an image launches with: a blob in the blob store, and what kind of system is on it.</summary>
[GenerateSerializer, Immutable, Alias("OrleansEc2.LaunchDisk")]
public sealed record LaunchDisk(
    [property: Id(0)] string BlobHash,
    [property: Id(1)] long Length,
    [property: Id(2)] Platform Platform,
    [property: Id(3)] string Architecture);

/// <summary>GetPasswordData's answer: the administrator password sealed to the key pair (RSA PKCS#1 v1.5, base64), or empty.</summary>
[GenerateSerializer, Immutable, Alias("OrleansEc2.PasswordData")]
public sealed record PasswordData(
    [property: Id(0)] string InstanceId,
    [property: Id(1)] DateTimeOffset Timestamp,
    [property: Id(2)] string EncryptedPassword);

/// <summary>
/// GetConsoleOutput's answer: the text the instance wrote to its console (the last 64 KiB of it), and when it was last
/// written; empty, with the time of asking, until the instance's first boot has completed.
/// </summary>
[GenerateSerializer, Immutable, Alias("OrleansEc2.ConsoleOutput")]
public sealed record ConsoleOutput(
    [property: Id(0)] string InstanceId,
    [property: Id(1)] DateTimeOffset Timestamp,
    [property: Id(2)] string Output);

/// <summary>A file on an instance's disk, as the guest sees it.</summary>
[GenerateSerializer, Immutable, Alias("OrleansEc2.GuestFile")]
public sealed record GuestFile(
    [property: Id(0)] string Path,
    [property: Id(1)] long Length,
    [property: Id(2)] bool IsTemporary);

/// <summary>A point-in-time copy of an instance's disk (a blob nobody will change), with what the disk says about itself.</summary>
[GenerateSerializer, Immutable, Alias("OrleansEc2.DiskSnapshot")]
public sealed record DiskSnapshot(
    [property: Id(0)] string InstanceId,
    [property: Id(1)] LaunchDisk Disk,
    [property: Id(2)] DateTimeOffset TakenAt);

/// <summary>
/// One EC2 instance (<c>i-</c> + 17 hex). Every call names the calling account: an instance of another account
/// answers <c>InvalidInstanceID.NotFound</c>, as EC2 does.
/// </summary>
public interface IInstanceGrain : IGrainWithStringKey
{
    /// <summary>Becomes a new pending instance booting from <paramref name="spec"/>'s disk. Idempotent for the same spec.</summary>
    Task<InstanceDescription> LaunchAsync(InstanceLaunchSpec spec);

    Task<InstanceDescription> DescribeAsync(string accountId);

    Task<InstanceStateChange> StartAsync(string accountId);

    Task<InstanceStateChange> StopAsync(string accountId, bool force);

    Task RebootAsync(string accountId);

    Task<InstanceStateChange> TerminateAsync(string accountId);

    Task<PasswordData> GetPasswordDataAsync(string accountId);

    /// <summary>
    /// GetConsoleOutput: what the instance printed on its console over its boots (EC2Config's lines on Windows, the
    /// kernel's on Linux), as of the simulation clock. Nothing before the first boot completes.
    /// </summary>
    Task<ConsoleOutput> GetConsoleOutputAsync(string accountId);

    // Guest actions: what a user does inside the running Windows instance (simulator-only).

    Task WriteFileAsync(string accountId, string path, byte[] content);

    Task<byte[]> ReadFileAsync(string accountId, string path);

    Task DeleteFileAsync(string accountId, string path);

    Task<ImmutableArray<GuestFile>> ListFilesAsync(string accountId);

    /// <summary>Disk Cleanup: removes temporary files. Returns how many were removed.</summary>
    Task<int> DiskCleanupAsync(string accountId);

    Task DefragmentAsync(string accountId);

    /// <summary><c>sdelete -c</c>: zeroes the disk's free space.</summary>
    Task ZeroFreeSpaceAsync(string accountId);

    Task SetAdministratorPasswordAsync(string accountId, string password);

    /// <summary>The disk as it is now; only while the instance is stopped (a bundle task's snapshot).</summary>
    Task<DiskSnapshot> SnapshotDiskAsync(string accountId);

    /// <summary>
    /// Marks the instance as being bundled by <paramref name="bundleId"/>: it must be the caller's running Windows
    /// instance (<c>UnsupportedOperation</c> for Linux, <c>IncorrectInstanceState</c> otherwise) with no other bundle in
    /// progress (<c>BundlingInProgress</c>). Idempotent for the same bundle id.
    /// </summary>
    Task BeginBundleAsync(string accountId, string bundleId);

    /// <summary>Clears the mark of <paramref name="bundleId"/> (when the task is finished); a no-op for another id.</summary>
    Task EndBundleAsync(string bundleId);

    /// <summary>DescribeInstanceAttribute of <c>userData</c>: the user data as canonical base64, or null when there is none.</summary>
    Task<string?> DescribeUserDataAsync(string accountId);

    /// <summary>
    /// ModifyInstanceAttribute: applies <paramref name="change"/> (exactly one attribute, else
    /// <c>InvalidParameterCombination</c>). <c>IncorrectInstanceState</c> for a change that needs a stopped instance
    /// while it is not, and for any change once it is shutting down or terminated.
    /// </summary>
    Task<InstanceDescription> ModifyAttributeAsync(string accountId, InstanceAttributeChange change);

    /// <summary>
    /// The guest shuts itself down (<c>shutdown /s</c> inside Windows): the running instance stops or terminates, as its
    /// <c>instanceInitiatedShutdownBehavior</c> says. Termination protection does not apply, as in EC2: it guards the API.
    /// </summary>
    Task<InstanceStateChange> InitiateShutdownAsync(string accountId);
}
