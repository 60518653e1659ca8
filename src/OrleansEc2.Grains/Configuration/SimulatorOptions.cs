namespace OrleansEc2.Grains.Configuration;

/// <summary>
/// The simulator's configuration, bound from the root of <c>appsettings.json</c> (sections <c>DataDirectory</c>,
/// <c>Accounts</c>, <c>Regions</c>, <c>PublicImages</c>, <c>Disk</c>, <c>Durations</c>, <c>Clock</c>).
/// </summary>
public sealed class SimulatorOptions
{
    /// <summary>Where the SQLite database and the blob store live. Relative paths are relative to the working directory.</summary>
    public string DataDirectory { get; set; } = "./data";

    public List<AccountOptions> Accounts { get; set; } = [];

    public List<RegionOptions> Regions { get; set; } = [];

    /// <summary>Public AMIs seeded in every region.</summary>
    public List<PublicImageOptions> PublicImages { get; set; } = [];

    public DiskOptions Disk { get; set; } = new();

    public DurationOptions Durations { get; set; } = new();

    public ClockOptions Clock { get; set; } = new();
}

public sealed class AccountOptions
{
    /// <summary>12 digits.</summary>
    public string AccountId { get; set; } = "";

    public string Name { get; set; } = "";

    public string AccessKeyId { get; set; } = "";

    public string SecretAccessKey { get; set; } = "";
}

public sealed class RegionOptions
{
    public string Name { get; set; } = "";

    /// <summary>The legacy S3 location constraint / ec2-migrate-image <c>--location</c> (<c>US</c>, <c>EU</c>); defaults to the name.</summary>
    public string? LegacyLocation { get; set; }

    /// <summary>Zone suffixes or full names; defaults to a, b, c.</summary>
    public List<string> AvailabilityZones { get; set; } = [];
}

public sealed class PublicImageOptions
{
    public string Name { get; set; } = "";

    public string Description { get; set; } = "";

    public Platform Platform { get; set; } = Platform.Windows;

    public string Architecture { get; set; } = "i386";

    /// <summary>Seed of the deterministic synthetic disk.</summary>
    public int Seed { get; set; }

    /// <summary>Disk size; defaults to <see cref="DiskOptions.DefaultSizeBytes"/>.</summary>
    public long? DiskSizeBytes { get; set; }
}

public sealed class DiskOptions
{
    /// <summary>Size of the public AMIs' synthetic disks: small for fast tests, up to GiBs for demos.</summary>
    public long DefaultSizeBytes { get; set; } = 4 * 1024 * 1024;
}

/// <summary>Simulated durations, measured on the simulation clock. Zero makes a transition complete at once.</summary>
public sealed class DurationOptions
{
    public TimeSpan Boot { get; set; } = TimeSpan.FromSeconds(5);

    public TimeSpan Shutdown { get; set; } = TimeSpan.FromSeconds(3);

    public TimeSpan Reboot { get; set; } = TimeSpan.FromSeconds(3);

    /// <summary>How long a terminated instance stays visible in DescribeInstances.</summary>
    public TimeSpan TerminatedRetention { get; set; } = TimeSpan.FromHours(1);

    /// <summary>Minimum time each bundle task phase takes (so a demo can watch it).</summary>
    public TimeSpan BundlePhaseMinimum { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>How long a finished bundle task stays listed.</summary>
    public TimeSpan FinishedBundleTaskRetention { get; set; } = TimeSpan.FromHours(24);

    /// <summary>Time after boot before the Windows password is available to GetPasswordData.</summary>
    public TimeSpan PasswordAvailableAfterBoot { get; set; } = TimeSpan.Zero;
}

public sealed class ClockOptions
{
    /// <summary><c>System</c> (default) or <c>Simulated</c> (moves only when advanced through <c>/_sim/clock</c>).</summary>
    public string Mode { get; set; } = "System";

    /// <summary>Where a simulated clock starts; defaults to the system time at start-up.</summary>
    public DateTimeOffset? Start { get; set; }
}
