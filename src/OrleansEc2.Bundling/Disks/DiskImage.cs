namespace OrleansEc2.Bundling.Disks;

/// <summary>
/// A simulated disk over a seekable stream (format in README.md beside this file): its machine identity, its
/// administrator password, its files, and the guest actions a user does on a running instance. Every change is
/// written through to the stream (and the stream flushed) before the method returns. The caller owns the stream.
/// </summary>
/// <remarks>
/// Opening reads the header, the identity and SAM blocks, the used part of the file table and the allocation
/// bitmap, and checks that they agree. File operations then read and write only the blocks they touch;
/// <see cref="Defragment"/> and <see cref="ZeroFreeSpace"/> go over the whole disk. Not thread-safe.
/// </remarks>
public sealed class DiskImage
{
    private const int CopyBufferBlocks = 256;

    private readonly Stream _stream;
    private readonly DiskLayout _layout;
    private readonly BlockBitmap _bitmap;
    private readonly Dictionary<string, FileEntry> _files;
    private readonly Dictionary<string, int> _directories;
    private readonly SortedSet<int> _freeRecords;
    private int _recordHighWater;
    private int _headerHighWater;
    private MachineIdentity? _identity;
    private string? _password;

    private DiskImage(Stream stream, DiskLayout layout, int recordHighWater, BlockBitmap bitmap,
        List<FileEntry> files, List<int> freeRecords, MachineIdentity? identity, string? password)
    {
        _stream = stream;
        _layout = layout;
        _recordHighWater = recordHighWater;
        _headerHighWater = recordHighWater;
        _bitmap = bitmap;
        _identity = identity;
        _password = password;
        _freeRecords = new SortedSet<int>(freeRecords);
        var comparer = GuestPath.Comparer(layout.Platform);
        _files = new Dictionary<string, FileEntry>(comparer);
        _directories = new Dictionary<string, int>(comparer);
        foreach (var file in files)
        {
            if (!_files.TryAdd(file.Path, file))
            {
                throw new DiskException(DiskError.Corrupt, $"The disk's file table is corrupt: '{file.Path}' is listed twice.");
            }

            AddDirectories(file.Path);
        }

        foreach (var file in files)
        {
            if (_directories.ContainsKey(file.Path) || GuestPath.Parents(file.Path, Platform).Any(_files.ContainsKey))
            {
                throw new DiskException(DiskError.Corrupt, $"The disk's file table is corrupt: '{file.Path}' is both a file and a folder.");
            }
        }
    }

    public DiskPlatform Platform => _layout.Platform;

    /// <summary>The disk's size in bytes (the stream's length).</summary>
    public long Size => _layout.Size;

    public int BlockSize => DiskLayout.BlockSize;

    /// <summary>Whether the stream cannot be written: every change then fails with <see cref="DiskError.ReadOnly"/>.</summary>
    public bool IsReadOnly => !_stream.CanWrite;

    /// <summary>The machine identity, or null for a generalized disk (fresh from sysprep or from the generator).</summary>
    public MachineIdentity? Identity => _identity;

    /// <summary>The administrator's password, or null when none is set (and always on Linux, which has no SAM).</summary>
    public string? AdministratorPassword => _password;

    /// <summary>
    /// Opens the disk held by <paramref name="stream"/> (readable and seekable; writable for changes).
    /// Throws <see cref="DiskException"/> with <see cref="DiskError.NotADisk"/>, <see cref="DiskError.Corrupt"/> or
    /// <see cref="DiskError.UnsupportedVersion"/> when the stream does not hold a sound disk.
    /// </summary>
    public static DiskImage Open(Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        if (!stream.CanRead || !stream.CanSeek)
        {
            throw new ArgumentException("A disk is opened over a readable, seekable stream.", nameof(stream));
        }

        var length = stream.Length;
        var header = new byte[DiskLayout.BlockSize];
        stream.Position = 0;
        var read = stream.ReadAtLeast(header, header.Length, throwOnEndOfStream: false);
        if (read < DiskLayout.Magic.Length || !header.AsSpan(0, DiskLayout.Magic.Length).SequenceEqual(DiskLayout.Magic))
        {
            throw new DiskException(DiskError.NotADisk, "The stream is not a simulated disk: it has no disk header.");
        }

        if (read < header.Length)
        {
            throw new DiskException(DiskError.Corrupt, $"The disk is truncated: {length} bytes.");
        }

        var (layout, highWater) = DiskLayout.ReadHeader(header, length);
        var block = new byte[DiskLayout.BlockSize];
        ReadAt(stream, layout.RegistryOffset, block);
        var identity = RegistryArea.Read(block);
        ReadAt(stream, layout.SamOffset, block);
        var password = SamArea.Read(block, layout.Platform);

        var table = new byte[highWater * DiskLayout.RecordSize];
        ReadAt(stream, layout.FileTableOffset, table);
        var (files, freeRecords) = FileTable.Decode(table, highWater, layout);

        var bitmapBytes = new byte[layout.BitmapBlockCount * DiskLayout.BlockSize];
        ReadAt(stream, layout.BitmapOffset, bitmapBytes);
        var bitmap = new BlockBitmap(layout.BlockCount, layout.BitmapBlockCount);
        bitmap.Load(bitmapBytes);

        var expected = new BlockBitmap(layout.BlockCount, layout.BitmapBlockCount);
        expected.Set(new Extent(0, layout.DataBlock));
        foreach (var file in files)
        {
            foreach (var extent in file.Extents)
            {
                if (expected.NextSet(extent.Start) < extent.End)
                {
                    throw new DiskException(DiskError.Corrupt, $"The disk's file table is corrupt: '{file.Path}' shares blocks with another file.");
                }

                expected.Set(extent);
            }
        }

        if (!expected.SameAs(bitmap))
        {
            throw new DiskException(DiskError.Corrupt, "The disk's allocation bitmap does not match its file table.");
        }

        bitmap.TakeDirty();
        return new DiskImage(stream, layout, highWater, bitmap, files, freeRecords, identity, password);
    }

    /// <summary>
    /// Writes an empty, generalized disk of <paramref name="size"/> bytes (a whole number of 4 KiB blocks, 1 MiB to
    /// 1 TiB) over <paramref name="stream"/>, replacing what it held, and opens it.
    /// </summary>
    public static DiskImage Format(Stream stream, long size, DiskPlatform platform)
    {
        ArgumentNullException.ThrowIfNull(stream);
        if (!stream.CanRead || !stream.CanSeek || !stream.CanWrite)
        {
            throw new ArgumentException("A disk is formatted over a readable, writable, seekable stream.", nameof(stream));
        }

        var layout = DiskLayout.For(size, platform);
        stream.SetLength(0);
        stream.SetLength(size);
        var bitmap = new BlockBitmap(layout.BlockCount, layout.BitmapBlockCount);
        bitmap.Set(new Extent(0, layout.DataBlock));
        var metadata = new byte[(long)layout.DataBlock * DiskLayout.BlockSize];
        layout.WriteGeneralizedMetadata(metadata, [], 0, bitmap);
        stream.Position = 0;
        stream.Write(metadata);
        stream.Flush();
        return Open(stream);
    }

    /// <summary>Gives the disk a machine identity (what first boot of a launched image does).</summary>
    public void SetIdentity(MachineIdentity identity)
    {
        ArgumentNullException.ThrowIfNull(identity);
        EnsureWritable();
        var block = new byte[DiskLayout.BlockSize];
        RegistryArea.Write(block, identity);
        WriteAt(_layout.RegistryOffset, block);
        _stream.Flush();
        _identity = identity;
    }

    /// <summary>Strips the machine identity in place (the identity part of sysprep; see <see cref="Sysprep"/>).</summary>
    internal void ClearIdentity()
    {
        EnsureWritable();
        WriteAt(_layout.RegistryOffset, RegistryArea.GeneralizedBlock());
        _stream.Flush();
        _identity = null;
    }

    /// <summary>
    /// Sets the administrator's password (1-127 characters, no control characters). Windows only: a Linux disk has
    /// no SAM (<see cref="DiskError.WrongPlatform"/>).
    /// </summary>
    public void SetAdministratorPassword(string password)
    {
        if (Platform != DiskPlatform.Windows)
        {
            throw new DiskException(DiskError.WrongPlatform, "A Linux disk has no Windows administrator account (no SAM).");
        }

        SamArea.Validate(password);
        EnsureWritable();
        var block = new byte[DiskLayout.BlockSize];
        SamArea.Write(block, Platform, password);
        WriteAt(_layout.SamOffset, block);
        _stream.Flush();
        _password = password;
    }

    /// <summary>Every file, ordered by path.</summary>
    public IReadOnlyList<DiskFile> ListFiles() =>
        _files.Values
            .OrderBy(f => f.Path, GuestPath.Comparer(Platform))
            .Select(ToDiskFile)
            .ToList();

    /// <summary>The file at <paramref name="path"/>, or null.</summary>
    public DiskFile? FindFile(string path) =>
        _files.TryGetValue(GuestPath.Normalize(path, Platform), out var entry) ? ToDiskFile(entry) : null;

    /// <summary>The file's bytes. Throws <see cref="DiskError.FileNotFound"/> or <see cref="DiskError.InvalidPath"/>.</summary>
    public byte[] ReadFile(string path)
    {
        var entry = GetEntry(path);
        var content = new byte[entry.Length];
        var offset = 0L;
        foreach (var extent in entry.Extents)
        {
            var bytes = (int)Math.Min((long)extent.Count * DiskLayout.BlockSize, entry.Length - offset);
            ReadAt(_stream, BlockOffset(extent.Start), content.AsSpan((int)offset, bytes));
            offset += bytes;
        }

        return content;
    }

    /// <summary>
    /// Creates or replaces the file at <paramref name="path"/>. Blocks are taken first-fit (the lowest free blocks,
    /// so a file written after deletions can be fragmented); a replaced file's old blocks are freed first and keep
    /// their bytes as garbage. Throws <see cref="DiskError.DiskFull"/> or <see cref="DiskError.FileTableFull"/>
    /// (the disk is then unchanged) and <see cref="DiskError.InvalidPath"/>.
    /// </summary>
    public void WriteFile(string path, ReadOnlySpan<byte> content, bool temporary = false)
    {
        var normalized = GuestPath.Normalize(path, Platform);
        EnsureWritable();
        _files.TryGetValue(normalized, out var entry);
        if (entry is null)
        {
            if (_directories.ContainsKey(normalized))
            {
                throw new DiskException(DiskError.InvalidPath, $"Invalid path '{path}': it is a folder.");
            }

            var fileParent = GuestPath.Parents(normalized, Platform).FirstOrDefault(_files.ContainsKey);
            if (fileParent is not null)
            {
                throw new DiskException(DiskError.InvalidPath, $"Invalid path '{path}': '{fileParent}' is a file, not a folder.");
            }
        }

        var blocks = FileEntry.BlocksFor(content.Length);
        var oldExtents = entry?.Extents ?? [];
        oldExtents.ForEach(_bitmap.Clear);
        var extents = blocks == 0 ? [] : _bitmap.FirstFit(blocks, _layout.DataBlock);
        var extraRecords = (entry is null ? 1 : 0) + FileTable.ExtensionRecordsFor(extents?.Count ?? 0) - (entry?.ExtensionRecords.Count ?? 0);
        var recordsAvailable = _freeRecords.Count + _layout.RecordCount - _recordHighWater;
        if (extents is null || extraRecords > recordsAvailable)
        {
            oldExtents.ForEach(_bitmap.Set);
            _bitmap.TakeDirty();
            throw extents is null
                ? new DiskException(DiskError.DiskFull,
                    $"There is not enough space on the disk: '{normalized}' needs {(long)blocks * DiskLayout.BlockSize} bytes, " +
                    $"{(long)_bitmap.FreeCount * DiskLayout.BlockSize + (long)oldExtents.Sum(e => e.Count) * DiskLayout.BlockSize} bytes are free.")
                : new DiskException(DiskError.FileTableFull,
                    $"The disk's file table is full ({_layout.RecordCount} records): delete files to make room for '{normalized}'.");
        }

        extents.ForEach(_bitmap.Set);
        WriteContent(extents, content);

        var changedRecords = new List<int>();
        if (entry is null)
        {
            entry = new FileEntry(normalized) { BaseRecord = AllocateRecord() };
            _files.Add(normalized, entry);
            AddDirectories(normalized);
        }

        entry.Length = content.Length;
        entry.IsTemporary = temporary;
        entry.Extents = extents;
        ResizeExtensionRecords(entry, changedRecords);
        WriteRecords(entry);
        WriteFreedRecords(changedRecords);
        WriteAllocationChanges();
    }

    /// <summary>Deletes the file. Its blocks become free but keep their bytes (as on a real disk) until overwritten or zeroed.</summary>
    public void DeleteFile(string path)
    {
        var entry = GetEntry(path);
        EnsureWritable();
        Remove(entry);
        WriteAllocationChanges();
    }

    /// <summary>Disk Cleanup: deletes every temporary file. Returns how many it deleted.</summary>
    public int DiskCleanup()
    {
        EnsureWritable();
        var temporary = _files.Values.Where(f => f.IsTemporary).ToList();
        temporary.ForEach(Remove);
        WriteAllocationChanges();
        return temporary.Count;
    }

    /// <summary>
    /// Defragments the disk: every file ends up in one fragment, files packed from the start of the data area in
    /// their current order, free space in one run at the end. Files keep their content; blocks left behind keep
    /// their old bytes as garbage. Returns how many files moved.
    /// </summary>
    public int Defragment()
    {
        EnsureWritable();
        var files = _files.Values.Where(f => f.Extents.Count > 0).OrderBy(f => f.Extents[0].Start).ToArray();
        var positions = files.Select(f => f.Extents.SelectMany(e => Enumerable.Range(e.Start, e.Count)).ToArray()).ToArray();
        var dataStart = _layout.DataBlock;
        var owner = new int[_layout.DataBlockCount];
        var ownerIndex = new int[_layout.DataBlockCount];
        Array.Fill(owner, -1);
        for (var f = 0; f < files.Length; f++)
        {
            for (var k = 0; k < positions[f].Length; k++)
            {
                owner[positions[f][k] - dataStart] = f;
                ownerIndex[positions[f][k] - dataStart] = k;
            }
        }

        var target = new byte[CopyBufferBlocks * DiskLayout.BlockSize];
        var source = new byte[CopyBufferBlocks * DiskLayout.BlockSize];
        var cursor = dataStart;
        var moved = 0;
        for (var f = 0; f < files.Length; f++)
        {
            var pos = positions[f];
            if (files[f].Extents.Count != 1 || files[f].Extents[0].Start != cursor)
            {
                moved++;
            }

            for (var k = 0; k < pos.Length;)
            {
                var t = cursor + k;
                var from = pos[k];
                if (from == t)
                {
                    k++;
                    continue;
                }

                // Swap target run [t, t+run) with source run [from, from+run): the file's blocks land in place,
                // whatever was in the way (another file's blocks, or free garbage) goes where they were. A run
                // never overlaps itself because the file's remaining blocks all lie past t.
                var run = 1;
                while (run < CopyBufferBlocks && k + run < pos.Length && pos[k + run] == from + run && from > t + run)
                {
                    run++;
                }

                var bytes = run * DiskLayout.BlockSize;
                ReadAt(_stream, BlockOffset(t), target.AsSpan(0, bytes));
                ReadAt(_stream, BlockOffset(from), source.AsSpan(0, bytes));
                WriteAt(BlockOffset(t), source.AsSpan(0, bytes));
                WriteAt(BlockOffset(from), target.AsSpan(0, bytes));
                for (var i = 0; i < run; i++)
                {
                    var displaced = owner[t + i - dataStart];
                    var displacedIndex = ownerIndex[t + i - dataStart];
                    if (displaced >= 0)
                    {
                        positions[displaced][displacedIndex] = from + i;
                    }

                    owner[from + i - dataStart] = displaced;
                    ownerIndex[from + i - dataStart] = displacedIndex;
                    owner[t + i - dataStart] = f;
                    ownerIndex[t + i - dataStart] = k + i;
                    pos[k + i] = t + i;
                }

                k += run;
            }

            cursor += pos.Length;
        }

        var freedRecords = new List<int>();
        for (var f = 0; f < files.Length; f++)
        {
            var entry = files[f];
            var packed = new Extent(positions[f][0], positions[f].Length);
            if (entry.Extents.Count == 1 && entry.Extents[0] == packed)
            {
                continue;
            }

            entry.Extents.ForEach(_bitmap.Clear);
            entry.Extents = [packed];
            ResizeExtensionRecords(entry, freedRecords);
            WriteRecords(entry);
        }

        foreach (var entry in files)
        {
            _bitmap.Set(entry.Extents[0]);
        }

        WriteFreedRecords(freedRecords);
        WriteAllocationChanges();
        return moved;
    }

    /// <summary><c>sdelete -c</c>: writes zeros over every free block. Returns how many bytes it zeroed.</summary>
    public long ZeroFreeSpace()
    {
        EnsureWritable();
        var zeros = new byte[CopyBufferBlocks * DiskLayout.BlockSize];
        var total = 0L;
        foreach (var run in _bitmap.FreeRuns(_layout.DataBlock))
        {
            _stream.Position = BlockOffset(run.Start);
            for (var left = run.Count; left > 0; left -= CopyBufferBlocks)
            {
                _stream.Write(zeros, 0, Math.Min(left, CopyBufferBlocks) * DiskLayout.BlockSize);
            }

            total += (long)run.Count * DiskLayout.BlockSize;
        }

        _stream.Flush();
        return total;
    }

    public DiskUsage GetUsage()
    {
        var files = _files.Values;
        var used = (long)_bitmap.AllocatedCount * DiskLayout.BlockSize;
        return new DiskUsage(
            Size,
            used,
            Size - used,
            files.Sum(f => f.Length),
            files.Count,
            files.Count(f => f.IsTemporary),
            files.Where(f => f.IsTemporary).Sum(f => f.Length),
            files.Count(f => f.Extents.Count > 1),
            files.Sum(f => Math.Max(0, f.Extents.Count - 1)));
    }

    private static DiskFile ToDiskFile(FileEntry entry) => new(entry.Path, entry.Length, entry.IsTemporary, entry.Extents.Count);

    private FileEntry GetEntry(string path)
    {
        var normalized = GuestPath.Normalize(path, Platform);
        return _files.TryGetValue(normalized, out var entry)
            ? entry
            : throw new DiskException(DiskError.FileNotFound, $"Could not find '{normalized}'.");
    }

    private void Remove(FileEntry entry)
    {
        entry.Extents.ForEach(_bitmap.Clear);
        _files.Remove(entry.Path);
        foreach (var parent in GuestPath.Parents(entry.Path, Platform))
        {
            if (--_directories[parent] == 0)
            {
                _directories.Remove(parent);
            }
        }

        var records = new List<int> { entry.BaseRecord };
        records.AddRange(entry.ExtensionRecords);
        WriteFreedRecords(records);
    }

    private void AddDirectories(string path)
    {
        foreach (var parent in GuestPath.Parents(path, Platform))
        {
            _directories[parent] = _directories.GetValueOrDefault(parent) + 1;
        }
    }

    private int AllocateRecord()
    {
        if (_freeRecords.Count > 0)
        {
            var record = _freeRecords.Min;
            _freeRecords.Remove(record);
            return record;
        }

        return _recordHighWater++;
    }

    /// <summary>Gives the entry as many extension records as its extents need; surplus records go to <paramref name="freed"/>.</summary>
    private void ResizeExtensionRecords(FileEntry entry, List<int> freed)
    {
        var needed = FileTable.ExtensionRecordsFor(entry.Extents.Count);
        while (entry.ExtensionRecords.Count < needed)
        {
            entry.ExtensionRecords.Add(AllocateRecord());
        }

        while (entry.ExtensionRecords.Count > needed)
        {
            freed.Add(entry.ExtensionRecords[^1]);
            entry.ExtensionRecords.RemoveAt(entry.ExtensionRecords.Count - 1);
        }
    }

    private void WriteRecords(FileEntry entry) =>
        FileTable.Encode(entry, (index, record) => WriteAt(_layout.FileTableOffset + (long)index * DiskLayout.RecordSize, record));

    private void WriteFreedRecords(List<int> records)
    {
        var zeros = new byte[DiskLayout.RecordSize];
        foreach (var record in records)
        {
            WriteAt(_layout.FileTableOffset + (long)record * DiskLayout.RecordSize, zeros);
            _freeRecords.Add(record);
        }
    }

    /// <summary>Writes the changed part of the bitmap and, when the file table grew, the header; then flushes.</summary>
    private void WriteAllocationChanges()
    {
        if (_bitmap.TakeDirty() is { } dirty)
        {
            WriteAt(_layout.BitmapOffset + dirty.ByteOffset, dirty.Bytes);
        }

        if (_headerHighWater != _recordHighWater)
        {
            var header = new byte[DiskLayout.BlockSize];
            _layout.WriteHeader(header, _recordHighWater);
            WriteAt(0, header);
            _headerHighWater = _recordHighWater;
        }

        _stream.Flush();
    }

    private void WriteContent(List<Extent> extents, ReadOnlySpan<byte> content)
    {
        var offset = 0;
        foreach (var extent in extents)
        {
            var bytes = Math.Min(extent.Count * DiskLayout.BlockSize, content.Length - offset);
            WriteAt(BlockOffset(extent.Start), content.Slice(offset, bytes));
            offset += bytes;
        }

        // The tail of the last block is zeroed, so a file's slack never shows what the block held before.
        var tail = content.Length % DiskLayout.BlockSize;
        if (tail != 0)
        {
            _stream.Write(new byte[DiskLayout.BlockSize - tail]);
        }
    }

    private void EnsureWritable()
    {
        if (!_stream.CanWrite)
        {
            throw new DiskException(DiskError.ReadOnly, "The disk is open read-only.");
        }
    }

    private static long BlockOffset(int block) => (long)block << DiskLayout.BlockShift;

    private void WriteAt(long offset, ReadOnlySpan<byte> bytes)
    {
        _stream.Position = offset;
        _stream.Write(bytes);
    }

    private static void ReadAt(Stream stream, long offset, Span<byte> buffer)
    {
        stream.Position = offset;
        stream.ReadExactly(buffer);
    }
}
