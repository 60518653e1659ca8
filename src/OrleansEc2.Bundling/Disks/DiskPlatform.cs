namespace OrleansEc2.Bundling.Disks;

/// <summary>
/// The kind of system on a disk. The numeric values are those of <c>OrleansEc2.Platform</c>, so a caller can cast
/// between the two (this library references nothing of ours).
/// </summary>
public enum DiskPlatform
{
    Linux = 0,
    Windows = 1,
}
