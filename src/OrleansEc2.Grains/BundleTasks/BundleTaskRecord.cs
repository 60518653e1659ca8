namespace OrleansEc2.Grains.BundleTasks;

/// <summary>A bundle task's persisted state: what DescribeBundleTasks shows, and what a resumed phase needs.</summary>
[GenerateSerializer, Alias("OrleansEc2.Grains.BundleTaskRecord")]
public sealed class BundleTaskRecord
{
    /// <summary>Null until BundleInstance records the task.</summary>
    [Id(0)]
    public BundleTaskDescription? Description { get; set; }

    /// <summary>
    /// False while BundleInstance is still claiming the instance and the bucket: a task found so after a crash was never
    /// acknowledged to anyone, and is undone.
    /// </summary>
    [Id(1)]
    public bool Accepted { get; set; }

    /// <summary>When the current state began, on the simulation clock (for the phase minimum).</summary>
    [Id(2)]
    public DateTimeOffset PhaseStartedAt { get; set; }

    /// <summary>The stopped instance's disk (a blob this task holds a reference to), from the end of waiting-for-shutdown.</summary>
    [Id(3)]
    public LaunchDisk? Snapshot { get; set; }

    /// <summary>The parts written by the current bundling attempt, in order (blobs this task holds references to).</summary>
    [Id(4)]
    public List<StoredBundlePart> Parts { get; set; } = [];

    /// <summary>The signed manifest (a blob this task holds a reference to), once bundling is done.</summary>
    [Id(5)]
    public BlobInfo? Manifest { get; set; }

    /// <summary>How many of <see cref="Parts"/> are recorded as objects in the bucket.</summary>
    [Id(6)]
    public int PartsStored { get; set; }

    /// <summary>Set on entering storing: from then on objects under the bundle's keys may be this task's, to remove on failure.</summary>
    [Id(7)]
    public bool StoringStarted { get; set; }

    /// <summary>Why the task is failing (a phase's error, or a cancel): set first, then the task cleans up and ends failed with it.</summary>
    [Id(8)]
    public BundleTaskError? Failure { get; set; }
}

/// <summary>One part of the bundle: its object key, the blob of its bytes, and its SHA-1 as the manifest lists it.</summary>
[GenerateSerializer, Immutable, Alias("OrleansEc2.Grains.StoredBundlePart")]
public sealed record StoredBundlePart(
    [property: Id(0)] int Index,
    [property: Id(1)] string FileName,
    [property: Id(2)] BlobInfo Blob,
    [property: Id(3)] string Sha1);
