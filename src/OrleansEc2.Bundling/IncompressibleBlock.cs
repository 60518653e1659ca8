using System.IO.Compression;

namespace OrleansEc2.Bundling;

/// <summary>
/// Spots blocks that deflate cannot shrink (compressed or encrypted files, random garbage in free space), so they are
/// stored instead: deflating them costs as much time as a text block and makes them no smaller (zlib's stored blocks
/// add 5 bytes per 64 KiB, less than deflate's own overhead on random data). On a Windows system disk such blocks are
/// about a fifth of the data and more than a third of the compression time.
/// </summary>
internal static class IncompressibleBlock
{
    private const int MinBlock = 64 * 1024;

    // A stride prime to the sizes of common records (2, 4, 8, 16 bytes…), so that a table whose every 8th byte is
    // random does not look random as a whole.
    private const int SampleStride = 7;

    // Uniformly random bytes measure ~7.998 bits/byte on a 1 MiB sample; anything deflate can shrink by 1% or more
    // stays well below.
    private const double MinEntropyBits = 7.99;
    private const int TrialLength = 16 * 1024;
    private const double MinTrialRatio = 0.98;

    public static bool Detect(ReadOnlySpan<byte> block)
    {
        if (block.Length < MinBlock)
        {
            return false;
        }

        Span<int> histogram = stackalloc int[256];
        var samples = 0;
        for (var i = 0; i < block.Length; i += SampleStride)
        {
            histogram[block[i]]++;
            samples++;
        }

        var entropy = 0.0;
        foreach (var count in histogram)
        {
            if (count > 0)
            {
                var p = (double)count / samples;
                entropy -= p * Math.Log2(p);
            }
        }

        if (entropy < MinEntropyBits)
        {
            return false;
        }

        // A short structure repeated within deflate's 32 KiB window has random bytes but compresses: try a slice.
        var trial = block.Slice((block.Length - TrialLength) / 2, TrialLength);
        using var output = new MemoryStream(TrialLength + 1024);
        using (var deflate = new DeflateStream(output, new ZLibCompressionOptions { CompressionLevel = 1 }, leaveOpen: true))
        {
            deflate.Write(trial);
        }

        return output.Length >= trial.Length * MinTrialRatio;
    }
}
