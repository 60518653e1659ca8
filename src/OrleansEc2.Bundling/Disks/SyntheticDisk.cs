using OrleansEc2.Bundling.Disks.Synthetic;

namespace OrleansEc2.Bundling.Disks;

/// <summary>
/// Makes deterministic system disks of real-looking bytes: a generalized Windows Server 2008 (or Fedora 8) disk
/// with system binaries, manifests, logs, registry hives, a page file, temporary files, some fragmentation, and
/// leftovers of deleted files in free space. The same spec always gives the same bytes. Output is streamed in
/// 1 MiB pieces: a GiB disk never sits in memory.
/// </summary>
public static class SyntheticDisk
{
    /// <summary>The largest synthetic disk (the generator keeps 8 bytes of history per 4 KiB block).</summary>
    public const long MaxSize = 16L << 30;

    private const int ChunkBlocks = 256;

    /// <summary>Writes the disk to <paramref name="destination"/> (which need not be seekable).</summary>
    public static void Write(Stream destination, SyntheticDiskSpec spec)
    {
        ArgumentNullException.ThrowIfNull(destination);
        foreach (var chunk in Chunks(spec))
        {
            destination.Write(chunk.Span);
        }
    }

    /// <inheritdoc cref="Write"/>
    public static async Task WriteAsync(Stream destination, SyntheticDiskSpec spec, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(destination);
        foreach (var chunk in Chunks(spec))
        {
            await destination.WriteAsync(chunk, cancellationToken);
        }
    }

    /// <summary>
    /// A forward-only, read-only stream of the disk, made as it is read (for feeding a bundle without a file);
    /// its <see cref="Stream.Length"/> is the disk's size.
    /// </summary>
    public static Stream OpenRead(SyntheticDiskSpec spec) => new SyntheticDiskStream(Chunks(spec), spec.SizeBytes);

    /// <summary>
    /// The disk in order: all blocks before the data area, then the data area a chunk at a time. A chunk's memory is
    /// reused for the next one, so each must be consumed before moving on.
    /// </summary>
    internal static IEnumerable<ReadOnlyMemory<byte>> Chunks(SyntheticDiskSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var layout = DiskLayout.For(spec.SizeBytes, spec.Platform);
        if (spec.SizeBytes > MaxSize)
        {
            throw new ArgumentOutOfRangeException(nameof(spec), spec.SizeBytes, $"A synthetic disk is at most {MaxSize} bytes (16 GiB).");
        }

        return Generate(layout, spec.Seed);
    }

    private static IEnumerable<ReadOnlyMemory<byte>> Generate(DiskLayout layout, int seed)
    {
        var plan = SyntheticDiskPlan.Create(layout, seed);
        var pools = ContentPools.Get();
        var (table, highWater) = plan.EncodeFileTable();
        var metadata = new byte[layout.DataBlock * DiskLayout.BlockSize];
        layout.WriteGeneralizedMetadata(metadata, table, highWater, plan.Bitmap);
        yield return metadata;

        var diskSeed = SeededRandom.Derive((ulong)(uint)seed, 0xD15C);
        var buffer = new byte[ChunkBlocks * DiskLayout.BlockSize];
        var owner = plan.Owner;
        var ownerIndex = plan.OwnerIndex;
        var files = plan.Files;
        for (var first = 0; first < layout.DataBlockCount; first += ChunkBlocks)
        {
            var count = Math.Min(ChunkBlocks, layout.DataBlockCount - first);
            for (var i = 0; i < count; i++)
            {
                var block = buffer.AsSpan(i * DiskLayout.BlockSize, DiskLayout.BlockSize);
                var id = owner[first + i];
                if (id < 0)
                {
                    block.Clear();
                }
                else
                {
                    BlockContent.Fill(block, files[id], ownerIndex[first + i], diskSeed, pools);
                }
            }

            yield return buffer.AsMemory(0, count * DiskLayout.BlockSize);
        }
    }
}

/// <summary>Reads the generator's chunks as a stream.</summary>
internal sealed class SyntheticDiskStream(IEnumerable<ReadOnlyMemory<byte>> chunks, long length) : Stream
{
    private IEnumerator<ReadOnlyMemory<byte>>? _chunks;
    private ReadOnlyMemory<byte> _current;
    private long _position;

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => length;

    public override long Position
    {
        get => _position;
        set => throw new NotSupportedException("A synthetic disk stream is read forward only.");
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        _chunks ??= chunks.GetEnumerator();
        while (_current.IsEmpty)
        {
            if (!_chunks.MoveNext())
            {
                return 0;
            }

            _current = _chunks.Current;
        }

        var n = Math.Min(buffer.Length, _current.Length);
        _current.Span[..n].CopyTo(buffer);
        _current = _current[n..];
        _position += n;
        return n;
    }

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException("A synthetic disk stream is read forward only.");

    public override void SetLength(long value) => throw new NotSupportedException("A synthetic disk stream is read-only.");

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException("A synthetic disk stream is read-only.");

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _chunks?.Dispose();
        }

        base.Dispose(disposing);
    }
}
