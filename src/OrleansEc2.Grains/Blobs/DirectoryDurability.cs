using System.Runtime.InteropServices;

namespace OrleansEc2.Grains.Blobs;

/// <summary>
/// Makes a rename or a new directory entry durable. On Unix a rename is only on disk once its directory is fsync'ed;
/// .NET cannot open a directory as a file there, hence libc. Windows (NTFS) journals the metadata itself.
/// </summary>
internal static class DirectoryDurability
{
    private const int ReadOnly = 0;

    public static void Flush(string directory)
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        var descriptor = open(directory, ReadOnly);
        if (descriptor < 0)
        {
            // Best effort: the data itself is already fsync'ed; only a power loss right now could lose the name.
            return;
        }

        try
        {
            _ = fsync(descriptor);
        }
        finally
        {
            _ = close(descriptor);
        }
    }

    [DllImport("libc", SetLastError = true)]
    private static extern int open([MarshalAs(UnmanagedType.LPUTF8Str)] string path, int flags);

    [DllImport("libc", SetLastError = true)]
    private static extern int fsync(int descriptor);

    [DllImport("libc", SetLastError = true)]
    private static extern int close(int descriptor);
}
