using System.Collections.Immutable;

namespace OrleansEc2;

/// <summary>Bundle task states, in the order a task goes through them.</summary>
[GenerateSerializer, Alias("OrleansEc2.BundleTaskState")]
public enum BundleTaskState
{
    Pending = 0,
    WaitingForShutdown = 1,
    Bundling = 2,
    Storing = 3,
    Cancelling = 4,
    Complete = 5,
    Failed = 6,
}

public static class BundleTaskStates
{
    /// <summary>The state as EC2 spells it (<c>waiting-for-shutdown</c>).</summary>
    public static string ToEc2Name(this BundleTaskState state) => state switch
    {
        BundleTaskState.Pending => "pending",
        BundleTaskState.WaitingForShutdown => "waiting-for-shutdown",
        BundleTaskState.Bundling => "bundling",
        BundleTaskState.Storing => "storing",
        BundleTaskState.Cancelling => "cancelling",
        BundleTaskState.Complete => "complete",
        BundleTaskState.Failed => "failed",
        _ => throw new ArgumentOutOfRangeException(nameof(state), state, null),
    };

    /// <summary>Complete or failed: nothing more will happen to the task.</summary>
    public static bool IsFinished(this BundleTaskState state) => state is BundleTaskState.Complete or BundleTaskState.Failed;
}

/// <summary>Why a bundle task failed.</summary>
[GenerateSerializer, Immutable, Alias("OrleansEc2.BundleTaskError")]
public sealed record BundleTaskError([property: Id(0)] string Code, [property: Id(1)] string Message);

/// <summary>A bundle task as DescribeBundleTasks shows it.</summary>
[GenerateSerializer, Immutable, Alias("OrleansEc2.BundleTaskDescription")]
public sealed record BundleTaskDescription(
    [property: Id(0)] string BundleId,
    [property: Id(1)] string AccountId,
    [property: Id(2)] string Region,
    [property: Id(3)] string InstanceId,
    [property: Id(4)] string Bucket,
    [property: Id(5)] string Prefix,
    [property: Id(6)] BundleTaskState State,
    [property: Id(7)] DateTimeOffset StartTime,
    [property: Id(8)] DateTimeOffset UpdateTime,
    [property: Id(9)] int Progress,
    [property: Id(10)] BundleTaskError? Error);

/// <summary>What BundleInstance asks for: the instance, where the bundle goes, and the signed upload policy that allows it.</summary>
[GenerateSerializer, Immutable, Alias("OrleansEc2.BundleInstanceRequest")]
public sealed record BundleInstanceRequest(
    [property: Id(0)] Caller Caller,
    [property: Id(1)] string InstanceId,
    [property: Id(2)] string Bucket,
    [property: Id(3)] string Prefix,
    [property: Id(4)] string AccessKeyId,
    [property: Id(5)] string UploadPolicy,
    [property: Id(6)] string UploadPolicySignature);

/// <summary>
/// One bundle task (<c>bun-</c> + 8 hex): ec2-bundle-instance's workflow. Stops the instance, snapshots its disk,
/// sysprep → tar → SHA-1 → gzip → AES → parts into the bucket, the manifest last, restarts the instance. Every
/// transition is persisted; an unfinished task resumes after a silo restart.
/// </summary>
public interface IBundleTaskGrain : IGrainWithStringKey
{
    /// <summary>Checks the request (upload policy, instance, bucket, names), records the task as pending and starts it.</summary>
    Task<BundleTaskDescription> StartAsync(BundleInstanceRequest request);

    /// <summary>The task as it stands; <c>InvalidBundleID.NotFound</c> for another account's or an unknown task.</summary>
    Task<BundleTaskDescription> DescribeAsync(string accountId);

    /// <summary>Cancels a task that is not complete: cancelling → failed, objects under the prefix removed, instance restarted.</summary>
    Task<BundleTaskDescription> CancelAsync(string accountId);

    /// <summary>Makes sure an unfinished task's work is running (after a restart: the start-up scan and the reminder call this).</summary>
    Task ResumeAsync();

    /// <summary>
    /// Makes every check <see cref="StartAsync"/> makes (a DryRun of BundleInstance) and changes nothing: no task, no
    /// bucket, no mark on the instance. Throws the error StartAsync would throw.
    /// </summary>
    Task CheckStartAsync(BundleInstanceRequest request);
}
