namespace OrleansEc2;

/// <summary>
/// A fault to inject (<c>POST /_sim/faults</c>): the next <see cref="Count"/> operations of the account that
/// <see cref="Target"/> names (and, for S3, that the filters match) fail with <see cref="Code"/> and
/// <see cref="Message"/> instead of running. <see cref="Status"/> is the HTTP status of an API target's error (null for
/// a workflow target, which fails a bundle task or migration rather than a request). See <see cref="FaultTargets"/>.
/// </summary>
public sealed record FaultSpec(
    string Target,
    int Count,
    string Code,
    string Message,
    int? Status,
    string? Bucket,
    string? KeyPrefix);

/// <summary>A fault still armed: its id (<c>fault-…</c>), what it is, and how many more times it fires.</summary>
public sealed record ActiveFault(string FaultId, FaultSpec Spec, int Remaining);

/// <summary>What a fault can target, as its <see cref="FaultSpec.Target"/> spells it.</summary>
public static class FaultTargets
{
    /// <summary><c>ec2:&lt;Action&gt;</c>: an EC2 Query API action (<c>ec2:RunInstances</c>).</summary>
    public const string Ec2Prefix = "ec2:";

    /// <summary><c>s3:&lt;Operation&gt;</c>: an S3 REST operation (<c>s3:PutObject</c>), optionally of one bucket or key prefix.</summary>
    public const string S3Prefix = "s3:";

    /// <summary><c>bundle-task:&lt;phase&gt;</c>: a bundle task entering that phase fails there.</summary>
    public const string BundleTaskPrefix = "bundle-task:";

    /// <summary><c>migration:&lt;step&gt;</c>: a migration (or CopyImage) entering that step fails there.</summary>
    public const string MigrationPrefix = "migration:";

    /// <summary>The bundle task phases a fault can fail (a task passes through each once).</summary>
    public static IReadOnlyList<string> BundleTaskPhases { get; } = ["waiting-for-shutdown", "bundling", "storing"];

    /// <summary>The migration steps a fault can fail.</summary>
    public static IReadOnlyList<string> MigrationSteps { get; } = ["copying-parts", "writing-manifest"];

    /// <summary>The error code a workflow fault fails its task with unless it names one.</summary>
    public const string DefaultWorkflowCode = "Server.InternalError";

    public static string BundleTask(BundleTaskState phase) => BundleTaskPrefix + phase.ToEc2Name();

    public static string Migration(MigrationState step) => MigrationPrefix + step.ToSimName();
}

/// <summary>
/// The faults armed in this silo process, per account: test settings, not simulated state, so they live in memory
/// only (a restart clears them) and no grain is asked. The front door and the workflow grains ask it before an
/// operation; with no fault armed anywhere, the question costs one field read (<see cref="HasAny"/>).
/// </summary>
public interface IFaultInjector
{
    /// <summary>Whether any account has a fault armed: what the hot path looks at before anything else.</summary>
    bool HasAny { get; }

    /// <summary>Arms a fault for the account (already validated); throws <see cref="Ec2Exception"/> past the per-account limit.</summary>
    ActiveFault Add(string accountId, FaultSpec fault);

    /// <summary>The account's armed faults, oldest first.</summary>
    IReadOnlyList<ActiveFault> List(string accountId);

    /// <summary>The account's fault, or null.</summary>
    ActiveFault? Find(string accountId, string faultId);

    /// <summary>Disarms one of the account's faults and answers it as it was; null when it has no such fault (or it has fired its last).</summary>
    ActiveFault? Remove(string accountId, string faultId);

    /// <summary>Disarms all the account's faults and answers them as they were.</summary>
    IReadOnlyList<ActiveFault> Clear(string accountId);

    /// <summary>
    /// The oldest of the account's faults on <paramref name="target"/> whose filters match
    /// (<paramref name="bucket"/>, <paramref name="key"/> for S3), with one firing taken from its count (it is gone after
    /// its last) and logged with <paramref name="requestId"/>; null when none matches.
    /// </summary>
    ActiveFault? TryFire(string accountId, string target, string requestId, string? bucket = null, string? key = null);
}
