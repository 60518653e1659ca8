using System.IO.Compression;
using System.Security.Cryptography;
using OrleansEc2.Bundling.Disks;

namespace OrleansEc2.Bundling.Tests.Disks;

/// <summary>Disks in memory, and measurements on their raw bytes.</summary>
internal static class DiskTestKit
{
    public static MemoryStream Synthetic(int seed, long size = SyntheticDiskSpec.DefaultSize, DiskPlatform platform = DiskPlatform.Windows)
    {
        var stream = new MemoryStream();
        SyntheticDisk.Write(stream, new SyntheticDiskSpec(size, seed, platform));
        stream.Position = 0;
        return stream;
    }

    public static (MemoryStream Stream, DiskImage Disk) Empty(long size = 1024 * 1024, DiskPlatform platform = DiskPlatform.Windows)
    {
        var stream = new MemoryStream();
        return (stream, DiskImage.Format(stream, size, platform));
    }

    public static string Sha256(Stream stream)
    {
        stream.Position = 0;
        return Convert.ToHexString(SHA256.HashData(stream));
    }

    public static string Sha256(byte[] bytes) => Convert.ToHexString(SHA256.HashData(bytes));

    /// <summary>Size of the stream's bytes after gzip -6.</summary>
    public static long GzipSize(Stream stream)
    {
        stream.Position = 0;
        var counter = new CountingStream();
        using (var gzip = new GZipStream(counter, new ZLibCompressionOptions { CompressionLevel = 6 }, leaveOpen: true))
        {
            stream.CopyTo(gzip);
        }

        return counter.Count;
    }

    public static long GzipSize(ReadOnlySpan<byte> bytes) => GzipSize(new MemoryStream(bytes.ToArray()));

    /// <summary>The data-area blocks the disk's bitmap marks free (read straight from the bytes, as the format documents).</summary>
    public static List<int> FreeDataBlocks(MemoryStream disk)
    {
        var bytes = disk.ToArray();
        var (layout, _) = DiskLayout.ReadHeader(bytes.AsSpan(0, DiskLayout.BlockSize), bytes.Length);
        var bitmap = bytes.AsSpan((int)layout.BitmapOffset, layout.BitmapBlockCount * DiskLayout.BlockSize);
        var free = new List<int>();
        for (var block = layout.DataBlock; block < layout.BlockCount; block++)
        {
            if ((bitmap[block / 8] & (1 << (block % 8))) == 0)
            {
                free.Add(block);
            }
        }

        return free;
    }

    public static byte[] Block(MemoryStream disk, int block) =>
        disk.GetBuffer().AsSpan(block * DiskLayout.BlockSize, DiskLayout.BlockSize).ToArray();

    public static byte[] Pattern(int seed, int length)
    {
        var bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    private sealed class CountingStream : Stream
    {
        public long Count { get; private set; }

        public override bool CanRead => false;

        public override bool CanSeek => false;

        public override bool CanWrite => true;

        public override long Length => Count;

        public override long Position
        {
            get => Count;
            set => throw new NotSupportedException();
        }

        public override void Flush()
        {
        }

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => Count += count;

        public override void Write(ReadOnlySpan<byte> buffer) => Count += buffer.Length;
    }
}

/// <summary>A stream that only goes forward, like a network or pipe stream.</summary>
internal sealed class ForwardOnlyStream(Stream inner) : Stream
{
    public override bool CanRead => inner.CanRead;

    public override bool CanSeek => false;

    public override bool CanWrite => inner.CanWrite;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    public override void Flush() => inner.Flush();

    public override int Read(byte[] buffer, int offset, int count) => inner.Read(buffer, offset, count);

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => inner.Write(buffer, offset, count);
}
