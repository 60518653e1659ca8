using System.Buffers.Binary;
using System.Numerics;
using System.Runtime.InteropServices;

namespace OrleansEc2.Bundling.Disks;

/// <summary>
/// The allocation bitmap: bit <c>i</c> (least significant bit first in each byte) is set when block <c>i</c> is in
/// use. The disk's own areas (header, registry, SAM, file table, bitmap) are marked in use too.
/// </summary>
internal sealed class BlockBitmap
{
    private readonly ulong[] _words;
    private int _dirtyFrom = int.MaxValue;
    private int _dirtyTo = -1;

    public BlockBitmap(int blockCount, int bitmapBlocks)
    {
        BlockCount = blockCount;
        _words = new ulong[bitmapBlocks * DiskLayout.BlockSize / 8];
    }

    public int BlockCount { get; }

    public int AllocatedCount { get; private set; }

    public int FreeCount => BlockCount - AllocatedCount;

    public bool IsSet(int block) => (_words[block >> 6] & (1UL << block)) != 0;

    public void Set(Extent extent) => Change(extent, true);

    public void Clear(Extent extent) => Change(extent, false);

    /// <summary>The first clear block at or after <paramref name="from"/>, or <see cref="BlockCount"/>.</summary>
    public int NextClear(int from) => Next(from, ulong.MaxValue);

    /// <summary>The first set block at or after <paramref name="from"/>, or <see cref="BlockCount"/>.</summary>
    public int NextSet(int from) => Next(from, 0);

    /// <summary>
    /// First fit as simple file systems do it: the lowest free blocks, run after run, until <paramref name="count"/>
    /// are found (so a file written into a disk with holes is fragmented). Null when there are not enough.
    /// </summary>
    public List<Extent>? FirstFit(int count, int from)
    {
        if (count > FreeCount)
        {
            return null;
        }

        var extents = new List<Extent>();
        var start = NextClear(from);
        while (count > 0 && start < BlockCount)
        {
            var end = Math.Min(NextSet(start), start + count);
            extents.Add(new Extent(start, end - start));
            count -= end - start;
            start = NextClear(end);
        }

        return count == 0 ? extents : null;
    }

    /// <summary>Free runs at or after <paramref name="from"/>, in disk order.</summary>
    public IEnumerable<Extent> FreeRuns(int from)
    {
        for (var start = NextClear(from); start < BlockCount;)
        {
            var end = NextSet(start);
            yield return new Extent(start, end - start);
            start = NextClear(end);
        }
    }

    public void Load(ReadOnlySpan<byte> bytes)
    {
        MemoryMarshal.Cast<byte, ulong>(bytes[..(_words.Length * 8)]).CopyTo(_words);
        if (!BitConverter.IsLittleEndian)
        {
            BinaryPrimitives.ReverseEndianness(_words, _words);
        }

        AllocatedCount = _words.Sum(w => BitOperations.PopCount(w));
        var pastEnd = false;
        for (var w = BlockCount >> 6; w < _words.Length; w++)
        {
            var firstBit = Math.Max(BlockCount - (w << 6), 0);
            pastEnd |= firstBit < 64 && (_words[w] & (ulong.MaxValue << firstBit)) != 0;
        }

        if (pastEnd)
        {
            throw new DiskException(DiskError.Corrupt, "The disk's allocation bitmap marks blocks past the end of the disk.");
        }
    }

    public void CopyTo(Span<byte> destination) => CopyWords(0, _words.Length, destination);

    /// <summary>Whether both bitmaps mark the same blocks.</summary>
    public bool SameAs(BlockBitmap other) => _words.AsSpan().SequenceEqual(other._words);

    /// <summary>The byte range of the bitmap changed since the last call, to write back; null when nothing changed.</summary>
    public (int ByteOffset, byte[] Bytes)? TakeDirty()
    {
        if (_dirtyTo < 0)
        {
            return null;
        }

        var bytes = new byte[(_dirtyTo - _dirtyFrom + 1) * 8];
        CopyWords(_dirtyFrom, _dirtyTo - _dirtyFrom + 1, bytes);
        var result = (_dirtyFrom * 8, bytes);
        _dirtyFrom = int.MaxValue;
        _dirtyTo = -1;
        return result;
    }

    private void CopyWords(int from, int count, Span<byte> destination)
    {
        for (var i = 0; i < count; i++)
        {
            BinaryPrimitives.WriteUInt64LittleEndian(destination[(i * 8)..], _words[from + i]);
        }
    }

    private int Next(int from, ulong skipWhenWordIs)
    {
        if (from >= BlockCount)
        {
            return BlockCount;
        }

        var index = from >> 6;
        var word = _words[index] ^ skipWhenWordIs;
        word &= ulong.MaxValue << (from & 63);
        while (word == 0)
        {
            if (++index >= _words.Length)
            {
                return BlockCount;
            }

            word = _words[index] ^ skipWhenWordIs;
        }

        return Math.Min(BlockCount, (index << 6) + BitOperations.TrailingZeroCount(word));
    }

    private void Change(Extent extent, bool value)
    {
        if (extent.Count <= 0)
        {
            return;
        }

        var first = extent.Start >> 6;
        var last = (extent.End - 1) >> 6;
        for (var w = first; w <= last; w++)
        {
            var lo = w == first ? extent.Start & 63 : 0;
            var hi = w == last ? ((extent.End - 1) & 63) : 63;
            var mask = (hi == 63 ? ulong.MaxValue : (1UL << (hi + 1)) - 1) & (ulong.MaxValue << lo);
            var before = BitOperations.PopCount(_words[w] & mask);
            if (value)
            {
                _words[w] |= mask;
                AllocatedCount += BitOperations.PopCount(mask) - before;
            }
            else
            {
                _words[w] &= ~mask;
                AllocatedCount -= before;
            }
        }

        _dirtyFrom = Math.Min(_dirtyFrom, first);
        _dirtyTo = Math.Max(_dirtyTo, last);
    }
}
