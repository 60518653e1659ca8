namespace OrleansEc2.Grains.Tests.BundleTasks;

/// <summary>
/// A cluster for bundle tasks: zero durations (every phase moves on at once), 2 MiB disks and 256 KiB parts, so a disk
/// bundles into a few parts quickly.
/// </summary>
public sealed class BundleClusterFixture : ClusterFixture
{
    public const int DiskSize = 2 * 1024 * 1024;
    public const int PartSize = 256 * 1024;

    public static Dictionary<string, string?> Settings => new()
    {
        ["Disk:DefaultSizeBytes"] = DiskSize.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["BundleTasks:PartSizeBytes"] = PartSize.ToString(System.Globalization.CultureInfo.InvariantCulture),
    };

    protected override IDictionary<string, string?> Overrides => Settings;
}

[CollectionDefinition(Name)]
public sealed class BundleClusterCollection : ICollectionFixture<BundleClusterFixture>
{
    public const string Name = "bundle cluster";
}

/// <summary>
/// A cluster where time passes only when a test advances the fake clock: every bundle phase lasts at least
/// <see cref="PhaseMinimum"/>, a boot 5 s, a shutdown 3 s. A task stays in each state until the clock moves.
/// </summary>
public sealed class TimedBundleClusterFixture : ClusterFixture
{
    public static readonly TimeSpan PhaseMinimum = TimeSpan.FromSeconds(10);
    public static readonly TimeSpan Boot = TimeSpan.FromSeconds(5);
    public static readonly TimeSpan Shutdown = TimeSpan.FromSeconds(3);

    protected override IDictionary<string, string?> Overrides => new Dictionary<string, string?>(BundleClusterFixture.Settings)
    {
        ["Durations:BundlePhaseMinimum"] = PhaseMinimum.ToString(),
        ["Durations:Boot"] = Boot.ToString(),
        ["Durations:Shutdown"] = Shutdown.ToString(),
    };
}

[CollectionDefinition(Name)]
public sealed class TimedBundleClusterCollection : ICollectionFixture<TimedBundleClusterFixture>
{
    public const string Name = "timed bundle cluster";
}
