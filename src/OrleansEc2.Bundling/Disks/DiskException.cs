namespace OrleansEc2.Bundling.Disks;

/// <summary>What went wrong with a disk or a guest action on it.</summary>
public enum DiskError
{
    /// <summary>The stream does not start with a disk header.</summary>
    NotADisk,

    /// <summary>The stream has a disk header but its structures are damaged or inconsistent.</summary>
    Corrupt,

    /// <summary>The disk was written by a newer version of the format.</summary>
    UnsupportedVersion,

    /// <summary>Not enough free blocks for the file.</summary>
    DiskFull,

    /// <summary>Every file record is in use.</summary>
    FileTableFull,

    /// <summary>The path is not a valid absolute file path for the disk's platform, or names a directory.</summary>
    InvalidPath,

    /// <summary>No file at that path.</summary>
    FileNotFound,

    /// <summary>The administrator password is empty, too long or has control characters.</summary>
    InvalidPassword,

    /// <summary>The action exists only on the other platform (a Linux disk has no SAM and is not sysprepped).</summary>
    WrongPlatform,

    /// <summary>The disk was opened over a stream that cannot be written.</summary>
    ReadOnly,
}

/// <summary>
/// A disk or guest-action failure, with a code a caller maps to its own error format (the instance grain maps it to
/// an EC2 error) and a message that can be shown to the user as it is.
/// </summary>
public sealed class DiskException(DiskError error, string message) : Exception(message)
{
    public DiskError Error { get; } = error;
}
