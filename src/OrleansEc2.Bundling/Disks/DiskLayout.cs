using System.Buffers.Binary;
using System.Numerics;
using System.Text;

namespace OrleansEc2.Bundling.Disks;

/// <summary>
/// Where each area of a disk of a given size lives (see README.md in this folder). Version 1 derives the whole
/// layout from the size, so a header is checked against the layout its size implies.
/// </summary>
internal sealed record DiskLayout(
    long Size,
    DiskPlatform Platform,
    int BlockCount,
    int RecordCount,
    int BitmapBlockCount)
{
    public const int BlockSize = 4096;
    public const int BlockShift = 12;
    public const ushort Version = 1;
    public const long MinSize = 1024 * 1024;
    public const long MaxSize = 1L << 40;
    public const int HeaderBlock = 0;
    public const int RegistryBlock = 1;
    public const int SamBlock = 2;
    public const int FileTableBlock = 3;
    public const int RecordSize = 1024;
    public const int RecordsPerBlock = BlockSize / RecordSize;
    public const int MinRecords = 256;
    public const int MaxRecords = 1 << 18;
    public const int BytesPerRecord = 64 * 1024;

    public static ReadOnlySpan<byte> Magic => "OEC2DISK"u8;

    public int BitmapBlock => FileTableBlock + RecordCount / RecordsPerBlock;

    public int DataBlock => BitmapBlock + BitmapBlockCount;

    public int DataBlockCount => BlockCount - DataBlock;

    public long FileTableOffset => (long)FileTableBlock * BlockSize;

    public long BitmapOffset => (long)BitmapBlock * BlockSize;

    public long RegistryOffset => (long)RegistryBlock * BlockSize;

    public long SamOffset => (long)SamBlock * BlockSize;

    public string Label => Platform == DiskPlatform.Windows
        ? "Microsoft Windows Server 2008 Datacenter (x86)"
        : "Fedora 8 (i386)";

    /// <summary>The layout of a disk of <paramref name="size"/> bytes; throws for a size the format cannot hold.</summary>
    public static DiskLayout For(long size, DiskPlatform platform)
    {
        ValidateSize(size);
        if (platform is not (DiskPlatform.Windows or DiskPlatform.Linux))
        {
            throw new ArgumentOutOfRangeException(nameof(platform), platform, "A disk is either Windows or Linux.");
        }

        var blockCount = (int)(size / BlockSize);
        var records = (int)Math.Clamp(size / BytesPerRecord, MinRecords, MaxRecords);
        records -= records % RecordsPerBlock;
        var bitmapBlocks = (blockCount + BlockSize * 8 - 1) / (BlockSize * 8);
        return new DiskLayout(size, platform, blockCount, records, bitmapBlocks);
    }

    public static void ValidateSize(long size)
    {
        if (size < MinSize || size > MaxSize)
        {
            throw new ArgumentOutOfRangeException(nameof(size), size,
                $"A disk is between {MinSize} bytes (1 MiB) and {MaxSize} bytes (1 TiB); {size} bytes is not.");
        }

        if (size % BlockSize != 0)
        {
            var below = size - size % BlockSize;
            throw new ArgumentOutOfRangeException(nameof(size), size,
                $"A disk's size is a whole number of {BlockSize}-byte blocks; {size} bytes is not " +
                $"(nearest sizes: {below} or {below + BlockSize} bytes).");
        }
    }

    /// <summary>The header block (block 0).</summary>
    public void WriteHeader(Span<byte> block, int recordHighWater)
    {
        block.Clear();
        Magic.CopyTo(block);
        BinaryPrimitives.WriteUInt16LittleEndian(block[8..], Version);
        BinaryPrimitives.WriteUInt32LittleEndian(block[12..], BlockSize);
        BinaryPrimitives.WriteInt64LittleEndian(block[16..], Size);
        BinaryPrimitives.WriteInt32LittleEndian(block[24..], BlockCount);
        block[28] = (byte)Platform;
        BinaryPrimitives.WriteInt32LittleEndian(block[32..], RegistryBlock);
        BinaryPrimitives.WriteInt32LittleEndian(block[36..], SamBlock);
        BinaryPrimitives.WriteInt32LittleEndian(block[40..], FileTableBlock);
        BinaryPrimitives.WriteInt32LittleEndian(block[44..], RecordCount);
        BinaryPrimitives.WriteInt32LittleEndian(block[48..], RecordSize);
        BinaryPrimitives.WriteInt32LittleEndian(block[52..], BitmapBlock);
        BinaryPrimitives.WriteInt32LittleEndian(block[56..], BitmapBlockCount);
        BinaryPrimitives.WriteInt32LittleEndian(block[60..], DataBlock);
        BinaryPrimitives.WriteInt32LittleEndian(block[64..], recordHighWater);
        Encoding.UTF8.GetBytes(Label, block[128..192]);
        BinaryPrimitives.WriteUInt32LittleEndian(block[252..], Crc32C.Compute(block[..252]));
    }

    /// <summary>
    /// Writes every block before the data area of a generalized disk without an administrator password: header,
    /// registry, SAM, the file table's first <paramref name="highWater"/> records, and the bitmap.
    /// </summary>
    public void WriteGeneralizedMetadata(Span<byte> destination, ReadOnlySpan<byte> fileTable, int highWater, BlockBitmap bitmap)
    {
        destination = destination[..(DataBlock * BlockSize)];
        destination.Clear();
        WriteHeader(destination.Slice(HeaderBlock * BlockSize, BlockSize), highWater);
        RegistryArea.Write(destination.Slice(RegistryBlock * BlockSize, BlockSize), null);
        SamArea.Write(destination.Slice(SamBlock * BlockSize, BlockSize), Platform, null);
        fileTable[..(highWater * RecordSize)].CopyTo(destination[(FileTableBlock * BlockSize)..]);
        bitmap.CopyTo(destination.Slice(BitmapBlock * BlockSize, BitmapBlockCount * BlockSize));
    }

    /// <summary>Reads and checks a header block; returns the layout and the file table's high-water mark.</summary>
    public static (DiskLayout Layout, int RecordHighWater) ReadHeader(ReadOnlySpan<byte> block, long streamLength)
    {
        if (block.Length < BlockSize || !block[..8].SequenceEqual(Magic))
        {
            throw new DiskException(DiskError.NotADisk, "The stream is not a simulated disk: it has no disk header.");
        }

        var version = BinaryPrimitives.ReadUInt16LittleEndian(block[8..]);
        if (version != Version)
        {
            throw new DiskException(DiskError.UnsupportedVersion,
                $"The disk is in format version {version}; this simulator reads version {Version}.");
        }

        if (BinaryPrimitives.ReadUInt32LittleEndian(block[252..]) != Crc32C.Compute(block[..252]))
        {
            throw new DiskException(DiskError.Corrupt, "The disk header is corrupt (checksum mismatch).");
        }

        var size = BinaryPrimitives.ReadInt64LittleEndian(block[16..]);
        var platform = (DiskPlatform)block[28];
        DiskLayout layout;
        try
        {
            layout = For(size, platform);
        }
        catch (ArgumentOutOfRangeException)
        {
            throw new DiskException(DiskError.Corrupt, $"The disk header is corrupt (size {size}, platform {(int)platform}).");
        }

        Span<byte> expected = stackalloc byte[BlockSize];
        var highWater = BinaryPrimitives.ReadInt32LittleEndian(block[64..]);
        layout.WriteHeader(expected, highWater);
        if (!expected.SequenceEqual(block[..BlockSize]) || highWater < 0 || highWater > layout.RecordCount)
        {
            throw new DiskException(DiskError.Corrupt, "The disk header is corrupt (its layout does not match its size).");
        }

        if (streamLength >= 0 && streamLength != size)
        {
            throw new DiskException(DiskError.Corrupt,
                $"The disk is {streamLength} bytes long but its header says {size} bytes (truncated or padded).");
        }

        return (layout, highWater);
    }
}

/// <summary>CRC-32C (Castagnoli), hardware-accelerated where the CPU has it.</summary>
internal static class Crc32C
{
    public static uint Compute(ReadOnlySpan<byte> data)
    {
        var crc = 0xFFFFFFFFu;
        while (data.Length >= 8)
        {
            crc = BitOperations.Crc32C(crc, BinaryPrimitives.ReadUInt64LittleEndian(data));
            data = data[8..];
        }

        foreach (var b in data)
        {
            crc = BitOperations.Crc32C(crc, b);
        }

        return ~crc;
    }
}
