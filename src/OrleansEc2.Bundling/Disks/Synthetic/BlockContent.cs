using System.Buffers.Binary;
using System.Text;

namespace OrleansEc2.Bundling.Disks.Synthetic;

/// <summary>What kind of bytes a synthetic file holds.</summary>
internal enum ContentKind
{
    WindowsLog,
    Manifest,
    Inf,
    Syslog,
    LinuxConfig,
    PortableExecutable,
    Elf,
    Compressed,
    Hive,
    Memory,
}

/// <summary>A file of the synthetic disk's history: live (with a path and a file record) or deleted (a ghost whose blocks are garbage).</summary>
internal sealed class PlannedFile(int id, string path, ContentKind kind, long length, bool temporary)
{
    public int Id { get; } = id;

    public string Path { get; } = path;

    public ContentKind Kind { get; } = kind;

    public long Length { get; } = length;

    public bool IsTemporary { get; } = temporary;

    public bool IsDeleted { get; set; }

    public List<Extent> Extents { get; set; } = [];

    public int BlockCount => FileEntry.BlocksFor(Length);
}

/// <summary>
/// Fills one block of a synthetic file. Every block depends only on the disk seed, the file and the block's index
/// in the file, so blocks can be made in disk order even when files are fragmented and interleaved.
/// </summary>
internal static class BlockContent
{
    private static readonly byte[] DosStub =
    [
        0x0E, 0x1F, 0xBA, 0x0E, 0x00, 0xB4, 0x09, 0xCD, 0x21, 0xB8, 0x01, 0x4C, 0xCD, 0x21,
        .. "This program cannot be run in DOS mode.\r\r\n$"u8,
    ];

    public static void Fill(Span<byte> block, PlannedFile file, int index, ulong diskSeed, ContentPools.Pools pools)
    {
        var random = new SeededRandom(SeededRandom.Derive(diskSeed, (ulong)file.Id, (ulong)index));
        switch (file.Kind)
        {
            case ContentKind.WindowsLog:
                FillText(block, pools.WindowsLogs, ref random, false);
                break;
            case ContentKind.Manifest:
                FillText(block, pools.Manifests, ref random, index == 0);
                break;
            case ContentKind.Inf:
                FillText(block, pools.Inf, ref random, index == 0);
                break;
            case ContentKind.Syslog:
                FillText(block, pools.Syslog, ref random, false);
                break;
            case ContentKind.LinuxConfig:
                FillText(block, pools.LinuxConfig, ref random, index == 0);
                break;
            case ContentKind.PortableExecutable:
            case ContentKind.Elf:
                FillExecutable(block, file, index, diskSeed, ref random, pools);
                break;
            case ContentKind.Compressed:
                random.Fill(block);
                if (index == 0)
                {
                    WriteArchiveHeader(block, file.Path);
                }

                break;
            case ContentKind.Hive:
                FillHive(block, ref random, pools);
                break;
            default:
                FillMemoryPage(block, ref random, pools);
                break;
        }

        if (index == file.BlockCount - 1 && file.Length % DiskLayout.BlockSize != 0)
        {
            block[(int)(file.Length % DiskLayout.BlockSize)..].Clear();
        }
    }

    /// <summary>Runs of consecutive lines from the pool; a file's first block starts at a document's beginning.</summary>
    private static void FillText(Span<byte> block, TextPool pool, ref SeededRandom random, bool startOfDocument)
    {
        for (var position = 0; position < block.Length;)
        {
            var line = startOfDocument && position == 0
                ? pool.DocumentStarts[random.Next(pool.DocumentStarts.Length)]
                : random.Next(pool.LineCount);
            var end = Math.Min(line + random.Next(8, 80), pool.LineCount);
            var from = pool.LineStarts[line];
            var count = Math.Min(pool.LineStarts[end] - from, block.Length - position);
            pool.Bytes.AsSpan(from, count).CopyTo(block[position..]);
            position += count;
        }
    }

    private static void FillBinary(Span<byte> block, BinaryPool pool, ref SeededRandom random, int minRun, int maxRun)
    {
        for (var position = 0; position < block.Length;)
        {
            var from = pool.Starts[random.Next(pool.Starts.Length)];
            var count = Math.Min(Math.Min(random.Next(minRun, maxRun), pool.Bytes.Length - from), block.Length - position);
            pool.Bytes.AsSpan(from, count).CopyTo(block[position..]);
            position += count;
        }
    }

    /// <summary>
    /// An executable's sections by share of its blocks: code (60%), read-only data (14%), data (6%, mostly zeros),
    /// resources (20%, some high-entropy like compressed images). Block 0 starts with the PE or ELF headers.
    /// </summary>
    private static void FillExecutable(Span<byte> block, PlannedFile file, int index, ulong diskSeed, ref SeededRandom random, ContentPools.Pools pools)
    {
        var (codeEnd, rdataEnd, dataEnd) = Sections(file.BlockCount);
        if (index < codeEnd)
        {
            FillBinary(block, pools.Code, ref random, 512, 3072);
        }
        else if (index < rdataEnd)
        {
            FillBinary(block, pools.ReadOnlyData, ref random, 256, 2048);
        }
        else if (index < dataEnd)
        {
            block.Clear();
            for (var n = random.Next(16, 96); n > 0; n--)
            {
                var value = random.Chance(60) ? 0x01001000u + (uint)random.Next(0x40000) * 4 : (uint)random.Next(0, 256);
                BinaryPrimitives.WriteUInt32LittleEndian(block[(random.Next(block.Length / 4) * 4)..], value);
            }
        }
        else if (random.Chance(45))
        {
            random.Fill(block);
        }
        else
        {
            FillBinary(block, pools.Resources, ref random, 512, 4096);
        }

        if (index == 0)
        {
            var header = new SeededRandom(SeededRandom.Derive(diskSeed, (ulong)file.Id, 0x50450000));
            if (file.Kind == ContentKind.PortableExecutable)
            {
                WritePeHeader(block, file, ref header);
            }
            else
            {
                WriteElfHeader(block, file, ref header);
            }
        }
    }

    private static (int CodeEnd, int ReadOnlyDataEnd, int DataEnd) Sections(int blocks)
    {
        var codeEnd = Math.Max(1, blocks * 60 / 100);
        var rdataEnd = codeEnd + blocks * 14 / 100;
        return (codeEnd, rdataEnd, rdataEnd + blocks * 6 / 100);
    }

    private static void WritePeHeader(Span<byte> block, PlannedFile file, ref SeededRandom random)
    {
        var isDll = !file.Path.EndsWith(".exe", StringComparison.OrdinalIgnoreCase);
        var (codeEnd, rdataEnd, dataEnd) = Sections(file.BlockCount);
        var header = block[..0x400];
        header.Clear();
        "MZ"u8.CopyTo(header);
        ReadOnlySpan<byte> dos = [0x90, 0x00, 0x03, 0x00, 0x00, 0x00, 0x04, 0x00, 0x00, 0x00, 0xFF, 0xFF, 0x00, 0x00, 0xB8];
        dos.CopyTo(header[2..]);
        header[0x18] = 0x40;
        BinaryPrimitives.WriteInt32LittleEndian(header[0x3C..], 0xE8);
        DosStub.CopyTo(header[0x40..]);

        // The "Rich" header Microsoft's linker leaves: tool ids XOR-ed with a checksum key.
        var key = (uint)random.NextUInt64();
        for (var i = 0; i < 8; i++)
        {
            BinaryPrimitives.WriteUInt32LittleEndian(header[(0x80 + i * 4)..], (i == 0 ? 0x536E6144u : (uint)random.Next(0x10000) << 16 | 0x5D) ^ key);
        }

        "Rich"u8.CopyTo(header[0xA0..]);
        BinaryPrimitives.WriteUInt32LittleEndian(header[0xA4..], key);

        "PE\0\0"u8.CopyTo(header[0xE8..]);
        var coff = header[0xEC..];
        BinaryPrimitives.WriteUInt16LittleEndian(coff, 0x014C);
        BinaryPrimitives.WriteUInt16LittleEndian(coff[2..], 4);
        BinaryPrimitives.WriteUInt32LittleEndian(coff[4..], 0x47918EA0u + (uint)random.Next(0x01000000));
        BinaryPrimitives.WriteUInt16LittleEndian(coff[16..], 0xE0);
        BinaryPrimitives.WriteUInt16LittleEndian(coff[18..], isDll ? (ushort)0x2102 : (ushort)0x0102);

        var bytes = (long)file.BlockCount * DiskLayout.BlockSize;
        var codeSize = (uint)(codeEnd * DiskLayout.BlockSize - 0x400);
        var imageBase = isDll ? 0x70000000u + (uint)random.Next(0x1000) * 0x10000 : 0x01000000u;
        var optional = header[0x100..];
        BinaryPrimitives.WriteUInt16LittleEndian(optional, 0x010B);
        optional[2] = 8;
        BinaryPrimitives.WriteUInt32LittleEndian(optional[4..], codeSize);
        BinaryPrimitives.WriteUInt32LittleEndian(optional[8..], (uint)(bytes - codeSize));
        BinaryPrimitives.WriteUInt32LittleEndian(optional[16..], 0x1000u + (uint)random.Next((int)codeSize / 16 + 1) * 16);
        BinaryPrimitives.WriteUInt32LittleEndian(optional[20..], 0x1000);
        BinaryPrimitives.WriteUInt32LittleEndian(optional[24..], 0x1000u + codeSize + 0xFFF & ~0xFFFu);
        BinaryPrimitives.WriteUInt32LittleEndian(optional[28..], imageBase);
        BinaryPrimitives.WriteUInt32LittleEndian(optional[32..], 0x1000);
        BinaryPrimitives.WriteUInt32LittleEndian(optional[36..], 0x200);
        BinaryPrimitives.WriteUInt16LittleEndian(optional[40..], 6);
        BinaryPrimitives.WriteUInt16LittleEndian(optional[44..], 6);
        BinaryPrimitives.WriteUInt16LittleEndian(optional[48..], 6);
        BinaryPrimitives.WriteUInt32LittleEndian(optional[56..], (uint)(bytes + 0x1FFF & ~0xFFF));
        BinaryPrimitives.WriteUInt32LittleEndian(optional[60..], 0x400);
        BinaryPrimitives.WriteUInt32LittleEndian(optional[64..], (uint)random.NextUInt64() & 0x00FFFFFF);
        BinaryPrimitives.WriteUInt16LittleEndian(optional[68..], isDll ? (ushort)3 : (ushort)2);
        BinaryPrimitives.WriteUInt16LittleEndian(optional[70..], 0x8140);
        BinaryPrimitives.WriteUInt32LittleEndian(optional[72..], 0x40000);
        BinaryPrimitives.WriteUInt32LittleEndian(optional[76..], 0x1000);
        BinaryPrimitives.WriteUInt32LittleEndian(optional[80..], 0x100000);
        BinaryPrimitives.WriteUInt32LittleEndian(optional[84..], 0x1000);
        BinaryPrimitives.WriteUInt32LittleEndian(optional[92..], 16);
        foreach (var directory in (ReadOnlySpan<int>)[0, 1, 2, 5, 6, 12])
        {
            BinaryPrimitives.WriteUInt32LittleEndian(optional[(96 + directory * 8)..], 0x1000u + (uint)random.Next(0x10000) * 16);
            BinaryPrimitives.WriteUInt32LittleEndian(optional[(100 + directory * 8)..], (uint)random.Next(0x28, 0x2000));
        }

        Span<(string Name, int From, int To, uint Flags)> sections =
        [
            (".text", 0, codeEnd, 0x60000020),
            (".rdata", codeEnd, rdataEnd, 0x40000040),
            (".data", rdataEnd, dataEnd, 0xC0000040),
            (".rsrc", dataEnd, file.BlockCount, 0x40000040),
        ];
        var table = header[0x1E0..];
        for (var i = 0; i < sections.Length; i++)
        {
            var (name, from, to, flags) = sections[i];
            var entry = table[(i * 40)..];
            Encoding.ASCII.GetBytes(name, entry);
            var raw = (uint)((to - from) * DiskLayout.BlockSize);
            var pointer = (uint)(from * DiskLayout.BlockSize);
            BinaryPrimitives.WriteUInt32LittleEndian(entry[8..], raw);
            BinaryPrimitives.WriteUInt32LittleEndian(entry[12..], 0x1000u + pointer);
            BinaryPrimitives.WriteUInt32LittleEndian(entry[16..], raw);
            BinaryPrimitives.WriteUInt32LittleEndian(entry[20..], i == 0 ? 0x400u : pointer);
            BinaryPrimitives.WriteUInt32LittleEndian(entry[36..], flags);
        }
    }

    private static void WriteElfHeader(Span<byte> block, PlannedFile file, ref SeededRandom random)
    {
        var header = block[..0x200];
        header.Clear();
        ReadOnlySpan<byte> ident = [0x7F, (byte)'E', (byte)'L', (byte)'F', 1, 1, 1, 0];
        ident.CopyTo(header);
        var shared = file.Path.Contains(".so", StringComparison.Ordinal);
        var module = file.Path.EndsWith(".ko", StringComparison.Ordinal);
        BinaryPrimitives.WriteUInt16LittleEndian(header[16..], module ? (ushort)1 : shared ? (ushort)3 : (ushort)2);
        BinaryPrimitives.WriteUInt16LittleEndian(header[18..], 3);
        BinaryPrimitives.WriteUInt32LittleEndian(header[20..], 1);
        BinaryPrimitives.WriteUInt32LittleEndian(header[24..], shared ? 0x00001000u + (uint)random.Next(0x4000) * 4 : 0x08048000u + (uint)random.Next(0x4000) * 4);
        BinaryPrimitives.WriteUInt32LittleEndian(header[28..], 52);
        BinaryPrimitives.WriteUInt32LittleEndian(header[32..], (uint)(file.Length - 40 * 28));
        BinaryPrimitives.WriteUInt16LittleEndian(header[40..], 52);
        BinaryPrimitives.WriteUInt16LittleEndian(header[42..], 32);
        BinaryPrimitives.WriteUInt16LittleEndian(header[44..], 7);
        BinaryPrimitives.WriteUInt16LittleEndian(header[46..], 40);
        BinaryPrimitives.WriteUInt16LittleEndian(header[48..], 28);
        BinaryPrimitives.WriteUInt16LittleEndian(header[50..], 27);
        for (var i = 0; i < 7; i++)
        {
            var entry = header[(52 + i * 32)..];
            BinaryPrimitives.WriteUInt32LittleEndian(entry, i switch { 0 => 6u, 1 => 3u, 2 or 3 => 1u, 4 => 2u, 5 => 4u, _ => 0x6474E551u });
            BinaryPrimitives.WriteUInt32LittleEndian(entry[4..], (uint)(i * 0x1000));
            BinaryPrimitives.WriteUInt32LittleEndian(entry[8..], 0x08048000u + (uint)(i * 0x1000));
            BinaryPrimitives.WriteUInt32LittleEndian(entry[12..], 0x08048000u + (uint)(i * 0x1000));
            BinaryPrimitives.WriteUInt32LittleEndian(entry[16..], (uint)random.Next(0x20, 0x8000));
            BinaryPrimitives.WriteUInt32LittleEndian(entry[20..], (uint)random.Next(0x20, 0x8000));
            BinaryPrimitives.WriteUInt32LittleEndian(entry[24..], i == 2 ? 5u : 4u);
            BinaryPrimitives.WriteUInt32LittleEndian(entry[28..], i < 2 ? 4u : 0x1000u);
        }

        "/lib/ld-linux.so.2\0"u8.CopyTo(header[0x134..]);
    }

    private static void WriteArchiveHeader(Span<byte> block, string path)
    {
        var extension = System.IO.Path.GetExtension(path).ToLowerInvariant();
        ReadOnlySpan<byte> magic = extension switch
        {
            ".cab" or ".cat" or ".msu" => "MSCF\0\0\0\0"u8,
            ".jpg" => [0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10, (byte)'J', (byte)'F', (byte)'I', (byte)'F', 0],
            ".msi" or ".chm" => [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1],
            ".gz" or ".img" or ".rpm" => [0x1F, 0x8B, 0x08, 0x00],
            ".ttf" => [0x00, 0x01, 0x00, 0x00, 0x00, 0x12, 0x01, 0x00],
            ".mo" => [0xDE, 0x12, 0x04, 0x95],
            _ => "PK\u0003\u0004"u8,
        };
        magic.CopyTo(block);
    }

    /// <summary>A 4 KiB hive bin: header, cells from the pool, and the rest of the bin free (zeros).</summary>
    private static void FillHive(Span<byte> block, ref SeededRandom random, ContentPools.Pools pools)
    {
        var used = random.Next(DiskLayout.BlockSize / 4, DiskLayout.BlockSize);
        FillBinary(block[..used], pools.HiveCells, ref random, 64, 1024);
        block[used..].Clear();
        "hbin"u8.CopyTo(block);
        BinaryPrimitives.WriteInt32LittleEndian(block[4..], random.Next(0x4000) * DiskLayout.BlockSize);
        BinaryPrimitives.WriteInt32LittleEndian(block[8..], DiskLayout.BlockSize);
        block[12..32].Clear();
    }

    /// <summary>A page of memory as a page file keeps it: zero, code, text, heap, or compressed data.</summary>
    private static void FillMemoryPage(Span<byte> block, ref SeededRandom random, ContentPools.Pools pools)
    {
        var roll = random.Next(100);
        if (roll < 40)
        {
            block.Clear();
        }
        else if (roll < 65)
        {
            FillBinary(block, pools.Code, ref random, 512, 3072);
        }
        else if (roll < 78)
        {
            FillText(block, pools.WindowsLogs, ref random, false);
        }
        else if (roll < 88)
        {
            FillBinary(block, pools.HiveCells, ref random, 64, 1024);
        }
        else
        {
            random.Fill(block);
        }
    }
}
