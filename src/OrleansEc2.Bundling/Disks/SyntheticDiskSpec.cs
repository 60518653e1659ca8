namespace OrleansEc2.Bundling.Disks;

/// <summary>
/// What synthetic disk to make: <paramref name="SizeBytes"/> (a whole number of 4 KiB blocks, from 1 MiB to
/// <see cref="SyntheticDisk.MaxSize"/>; other sizes are refused, not rounded, so a disk is always exactly the size
/// asked for), <paramref name="Seed"/> (same seed, size and platform: same bytes), and the
/// <paramref name="Platform"/> installed on it.
/// </summary>
public sealed record SyntheticDiskSpec(long SizeBytes, int Seed, DiskPlatform Platform)
{
    /// <summary>8 MiB: small enough for tests, big enough to hold a few hundred files.</summary>
    public const long DefaultSize = 8 * 1024 * 1024;

    /// <summary>A default-size Windows disk.</summary>
    public SyntheticDiskSpec(int seed)
        : this(DefaultSize, seed, DiskPlatform.Windows)
    {
    }
}
