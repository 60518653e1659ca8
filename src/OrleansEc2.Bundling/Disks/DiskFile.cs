namespace OrleansEc2.Bundling.Disks;

/// <summary>A file on a disk, as the guest's Explorer and defrag analysis show it.</summary>
/// <param name="Path">Full path (<c>C:\Users\Administrator\Desktop\notes.txt</c>).</param>
/// <param name="Length">Length in bytes.</param>
/// <param name="IsTemporary">Whether Disk Cleanup removes it.</param>
/// <param name="Fragments">How many separate runs of blocks hold it (1 = contiguous; 0 for an empty file).</param>
public sealed record DiskFile(string Path, long Length, bool IsTemporary, int Fragments);

/// <summary>How full and how fragmented a disk is.</summary>
/// <param name="Size">The disk's size in bytes.</param>
/// <param name="UsedBytes">Bytes in allocated blocks, the file system's own areas included.</param>
/// <param name="FreeBytes">Bytes in free blocks; <c>UsedBytes + FreeBytes == Size</c>.</param>
/// <param name="FileBytes">Sum of the files' lengths.</param>
/// <param name="FileCount">Number of files.</param>
/// <param name="TemporaryFileCount">Files Disk Cleanup would remove.</param>
/// <param name="TemporaryFileBytes">Their total length.</param>
/// <param name="FragmentedFileCount">Files in more than one fragment.</param>
/// <param name="ExcessFragments">Fragments beyond the first, over all files (what defrag analysis calls excess fragments).</param>
public sealed record DiskUsage(
    long Size,
    long UsedBytes,
    long FreeBytes,
    long FileBytes,
    int FileCount,
    int TemporaryFileCount,
    long TemporaryFileBytes,
    int FragmentedFileCount,
    int ExcessFragments)
{
    /// <summary>The fragmentation figure: percent of files in more than one fragment (0 after Defragment).</summary>
    public double FragmentedFilesPercent => FileCount == 0 ? 0 : 100.0 * FragmentedFileCount / FileCount;
}
