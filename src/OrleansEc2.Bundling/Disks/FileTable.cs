using System.Buffers.Binary;
using System.Text;

namespace OrleansEc2.Bundling.Disks;

/// <summary>A run of consecutive blocks.</summary>
internal readonly record struct Extent(int Start, int Count)
{
    public int End => Start + Count;
}

/// <summary>A file as the file table holds it, with the records it occupies.</summary>
internal sealed class FileEntry(string path)
{
    public string Path { get; set; } = path;

    public long Length { get; set; }

    public bool IsTemporary { get; set; }

    public List<Extent> Extents { get; set; } = [];

    public int BaseRecord { get; set; } = -1;

    public List<int> ExtensionRecords { get; } = [];

    public int BlockCount => Extents.Sum(e => e.Count);

    public static int BlocksFor(long length) => (int)((length + DiskLayout.BlockSize - 1) >> DiskLayout.BlockShift);
}

/// <summary>
/// File records (1024 bytes each, like NTFS's MFT). A base record holds the path, length, flags and up to
/// <see cref="BaseExtentCapacity"/> extents; a fragmented file chains extension records of
/// <see cref="ExtensionExtentCapacity"/> extents each. A free record is all zeros.
/// </summary>
internal static class FileTable
{
    public const int BaseExtentCapacity = 58;
    public const int ExtensionExtentCapacity = 123;
    public const uint NoRecord = uint.MaxValue;
    private const byte BaseKind = 1;
    private const byte ExtensionKind = 2;
    private const byte TemporaryFlag = 1;
    private const int PathOffset = 32;
    private const int BaseExtentOffset = 552;
    private const int ExtensionExtentOffset = 32;
    private const int ChecksumOffset = 1020;

    public static ReadOnlySpan<byte> Magic => "FILE"u8;

    public static int ExtensionRecordsFor(int extentCount) =>
        extentCount <= BaseExtentCapacity ? 0 : (extentCount - BaseExtentCapacity + ExtensionExtentCapacity - 1) / ExtensionExtentCapacity;

    /// <summary>Encodes <paramref name="entry"/>'s base record and extension records (its record numbers must be assigned).</summary>
    public static void Encode(FileEntry entry, Action<int, ReadOnlySpan<byte>> writeRecord)
    {
        Span<byte> record = stackalloc byte[DiskLayout.RecordSize];
        var extents = entry.Extents;
        var chain = entry.ExtensionRecords;

        record.Clear();
        Magic.CopyTo(record);
        record[4] = BaseKind;
        record[5] = entry.IsTemporary ? TemporaryFlag : (byte)0;
        BinaryPrimitives.WriteUInt16LittleEndian(record[6..], (ushort)entry.Path.Length);
        BinaryPrimitives.WriteInt64LittleEndian(record[8..], entry.Length);
        var inBase = Math.Min(extents.Count, BaseExtentCapacity);
        BinaryPrimitives.WriteInt32LittleEndian(record[16..], inBase);
        BinaryPrimitives.WriteUInt32LittleEndian(record[20..], chain.Count > 0 ? (uint)chain[0] : NoRecord);
        BinaryPrimitives.WriteInt32LittleEndian(record[24..], entry.BaseRecord);
        BinaryPrimitives.WriteInt32LittleEndian(record[28..], extents.Count);
        Encoding.Unicode.GetBytes(entry.Path, record[PathOffset..]);
        WriteExtents(record[BaseExtentOffset..], extents, 0, inBase);
        Seal(record);
        writeRecord(entry.BaseRecord, record);

        var next = inBase;
        for (var i = 0; i < chain.Count; i++)
        {
            var count = Math.Min(extents.Count - next, ExtensionExtentCapacity);
            record.Clear();
            Magic.CopyTo(record);
            record[4] = ExtensionKind;
            BinaryPrimitives.WriteInt32LittleEndian(record[16..], count);
            BinaryPrimitives.WriteUInt32LittleEndian(record[20..], i + 1 < chain.Count ? (uint)chain[i + 1] : NoRecord);
            BinaryPrimitives.WriteInt32LittleEndian(record[24..], entry.BaseRecord);
            WriteExtents(record[ExtensionExtentOffset..], extents, next, count);
            Seal(record);
            writeRecord(chain[i], record);
            next += count;
        }
    }

    /// <summary>
    /// Decodes the first <paramref name="highWater"/> records of a file table; checks every record's checksum and
    /// that each file's extents lie in the data area and cover its length. Returns the files and the free records.
    /// </summary>
    public static (List<FileEntry> Files, List<int> FreeRecords) Decode(ReadOnlySpan<byte> table, int highWater, DiskLayout layout)
    {
        var files = new List<FileEntry>();
        var free = new List<int>();
        var extensions = new Dictionary<int, (int Base, int Next, Extent[] Extents)>();
        var pendingChains = new List<(FileEntry Entry, int First, int Total)>();

        for (var i = 0; i < highWater; i++)
        {
            var record = table.Slice(i * DiskLayout.RecordSize, DiskLayout.RecordSize);
            if (!record.ContainsAnyExcept((byte)0))
            {
                free.Add(i);
                continue;
            }

            if (!record[..4].SequenceEqual(Magic)
                || BinaryPrimitives.ReadUInt32LittleEndian(record[ChecksumOffset..]) != Crc32C.Compute(record[..ChecksumOffset]))
            {
                throw Corrupt($"file record {i} is damaged");
            }

            var count = BinaryPrimitives.ReadInt32LittleEndian(record[16..]);
            var next = BinaryPrimitives.ReadUInt32LittleEndian(record[20..]);
            var baseRecord = BinaryPrimitives.ReadInt32LittleEndian(record[24..]);
            if (record[4] == BaseKind)
            {
                var pathLength = BinaryPrimitives.ReadUInt16LittleEndian(record[6..]);
                var total = BinaryPrimitives.ReadInt32LittleEndian(record[28..]);
                if (pathLength is 0 or > GuestPath.MaxLength || baseRecord != i || count < 0 || count > BaseExtentCapacity
                    || total < count || (total > count) != (next != NoRecord))
                {
                    throw Corrupt($"file record {i} is damaged");
                }

                var path = Encoding.Unicode.GetString(record.Slice(PathOffset, pathLength * 2));
                string normalized;
                try
                {
                    normalized = GuestPath.Normalize(path, layout.Platform);
                }
                catch (DiskException)
                {
                    throw Corrupt($"file record {i} holds an invalid path");
                }

                var entry = new FileEntry(normalized)
                {
                    Length = BinaryPrimitives.ReadInt64LittleEndian(record[8..]),
                    IsTemporary = (record[5] & TemporaryFlag) != 0,
                    BaseRecord = i,
                };
                entry.Extents.AddRange(ReadExtents(record[BaseExtentOffset..], count));
                files.Add(entry);
                if (next != NoRecord)
                {
                    pendingChains.Add((entry, (int)next, total));
                }
            }
            else if (record[4] == ExtensionKind && count is > 0 and <= ExtensionExtentCapacity)
            {
                extensions[i] = (baseRecord, next == NoRecord ? -1 : (int)next, ReadExtents(record[ExtensionExtentOffset..], count));
            }
            else
            {
                throw Corrupt($"file record {i} is damaged");
            }
        }

        foreach (var (entry, first, total) in pendingChains)
        {
            for (var r = first; r >= 0;)
            {
                if (!extensions.Remove(r, out var extension) || extension.Base != entry.BaseRecord)
                {
                    throw Corrupt($"the extension records of '{entry.Path}' are broken");
                }

                entry.ExtensionRecords.Add(r);
                entry.Extents.AddRange(extension.Extents);
                r = extension.Next;
            }

            if (entry.Extents.Count != total)
            {
                throw Corrupt($"the extension records of '{entry.Path}' are broken");
            }
        }

        if (extensions.Count > 0)
        {
            throw Corrupt($"file record {extensions.Keys.First()} is an orphaned extension record");
        }

        foreach (var entry in files)
        {
            if (entry.Length < 0 || entry.Extents.Any(e => e.Count <= 0 || e.Start < layout.DataBlock || e.End > layout.BlockCount)
                || entry.BlockCount != FileEntry.BlocksFor(entry.Length))
            {
                throw Corrupt($"the extents of '{entry.Path}' do not fit its length or the data area");
            }
        }

        return (files, free);
    }

    private static void WriteExtents(Span<byte> destination, List<Extent> extents, int from, int count)
    {
        for (var i = 0; i < count; i++)
        {
            BinaryPrimitives.WriteInt32LittleEndian(destination[(i * 8)..], extents[from + i].Start);
            BinaryPrimitives.WriteInt32LittleEndian(destination[(i * 8 + 4)..], extents[from + i].Count);
        }
    }

    private static Extent[] ReadExtents(ReadOnlySpan<byte> source, int count)
    {
        var extents = new Extent[count];
        for (var i = 0; i < count; i++)
        {
            extents[i] = new Extent(
                BinaryPrimitives.ReadInt32LittleEndian(source[(i * 8)..]),
                BinaryPrimitives.ReadInt32LittleEndian(source[(i * 8 + 4)..]));
        }

        return extents;
    }

    private static void Seal(Span<byte> record) =>
        BinaryPrimitives.WriteUInt32LittleEndian(record[ChecksumOffset..], Crc32C.Compute(record[..ChecksumOffset]));

    private static DiskException Corrupt(string why) => new(DiskError.Corrupt, $"The disk's file table is corrupt: {why}.");
}
