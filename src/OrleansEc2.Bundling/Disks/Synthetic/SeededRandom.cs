using System.Buffers.Binary;
using System.Runtime.InteropServices;

namespace OrleansEc2.Bundling.Disks.Synthetic;

/// <summary>
/// SplitMix64: a tiny, fast generator whose output depends only on its seed (unlike <see cref="Random"/>, whose
/// algorithm may change between runtimes), so a synthetic disk is the same bytes everywhere. Integer-only.
/// </summary>
internal struct SeededRandom(ulong seed)
{
    private ulong _state = seed;

    /// <summary>A seed for the <paramref name="b"/>-th item of the <paramref name="a"/>-th thing under <paramref name="seed"/>.</summary>
    public static ulong Derive(ulong seed, ulong a, ulong b = 0) => Mix(Mix(seed ^ Mix(a + 0x632BE59BD9B4E019UL)) + b);

    public ulong NextUInt64()
    {
        _state += 0x9E3779B97F4A7C15UL;
        return Mix(_state);
    }

    /// <summary>Uniform in [0, <paramref name="bound"/>).</summary>
    public int Next(int bound) => bound <= 1 ? 0 : (int)((NextUInt64() >> 32) * (ulong)bound >> 32);

    /// <summary>Uniform in [<paramref name="min"/>, <paramref name="max"/>).</summary>
    public int Next(int min, int max) => min + Next(max - min);

    /// <summary>True with probability <paramref name="percent"/>/100.</summary>
    public bool Chance(int percent) => Next(100) < percent;

    /// <summary>Log-uniform in [<paramref name="min"/>, <paramref name="max"/>]: as many files of 4-8 KiB as of 4-8 MiB.</summary>
    public long LogUniform(long min, long max)
    {
        if (max <= min)
        {
            return min;
        }

        var octaves = 63 - long.LeadingZeroCount(max / min);
        var steps = Math.Max(1, octaves) * 256;
        var step = Next((int)steps + 1);
        var value = min << (step / 256);
        value += value * (step % 256) / 256;
        return Math.Clamp(value, min, max);
    }

    public void Fill(Span<byte> destination)
    {
        var words = MemoryMarshal.Cast<byte, ulong>(destination);
        for (var i = 0; i < words.Length; i++)
        {
            var value = NextUInt64();
            words[i] = BitConverter.IsLittleEndian ? value : BinaryPrimitives.ReverseEndianness(value);
        }

        var rest = destination[(words.Length * 8)..];
        if (rest.Length > 0)
        {
            Span<byte> last = stackalloc byte[8];
            BinaryPrimitives.WriteUInt64LittleEndian(last, NextUInt64());
            last[..rest.Length].CopyTo(rest);
        }
    }

    public T Pick<T>(IReadOnlyList<T> items) => items[Next(items.Count)];

    private static ulong Mix(ulong z)
    {
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
