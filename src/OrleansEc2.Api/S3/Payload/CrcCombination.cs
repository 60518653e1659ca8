using System.Buffers.Binary;

namespace OrleansEc2.Api.S3.Payload;

/// <summary>
/// The CRC of a concatenation from the CRCs of its pieces and their lengths, for the reflected CRCs S3 uses (CRC32,
/// CRC32C, CRC64NVME, all with all-ones initial value and final XOR): what a multipart upload's full-object checksum is,
/// without reading the object. Arithmetic in GF(2) modulo the polynomial, as zlib's <c>crc32_combine</c>.
/// </summary>
internal sealed class CrcCombination
{
    public static readonly CrcCombination Crc32 = new(0xEDB88320UL, 32);
    public static readonly CrcCombination Crc32C = new(0x82F63B78UL, 32);
    public static readonly CrcCombination Crc64Nvme = new(0x9A6C9329AC4BC9B5UL, 64);

    private readonly ulong _reflectedPolynomial;
    private readonly int _width;
    private readonly ulong[] _powers = new ulong[64];

    private CrcCombination(ulong reflectedPolynomial, int width)
    {
        _reflectedPolynomial = reflectedPolynomial;
        _width = width;

        // _powers[k] is x^(2^k) modulo the polynomial, in reflected bit order (x^0 is the top bit).
        _powers[0] = 1UL << (width - 2);
        for (var k = 1; k < _powers.Length; k++)
        {
            _powers[k] = Multiply(_powers[k - 1], _powers[k - 1]);
        }
    }

    /// <summary>The combiner for an algorithm, or null for one that is not a CRC (SHA1, SHA256).</summary>
    public static CrcCombination? For(S3ChecksumAlgorithm algorithm) =>
        algorithm == S3ChecksumAlgorithm.Crc32 ? Crc32
        : algorithm == S3ChecksumAlgorithm.Crc32C ? Crc32C
        : algorithm == S3ChecksumAlgorithm.Crc64Nvme ? Crc64Nvme
        : null;

    /// <summary>CRC(A ‖ B) from CRC(A), CRC(B) and the length of B in bytes.</summary>
    public ulong Combine(ulong first, ulong second, long secondLength)
    {
        return Multiply(PowerOfX(secondLength), first) ^ second;
    }

    /// <summary>The checksum (base64, big-endian) of the pieces, in order, from theirs (base64) and their lengths.</summary>
    public string CombineBase64(IEnumerable<(string Base64, long Length)> pieces)
    {
        ulong crc = 0;
        var any = false;
        foreach (var (base64, length) in pieces)
        {
            var value = Decode(base64);
            crc = any ? Combine(crc, value, length) : value;
            any = true;
        }

        var bytes = new byte[_width / 8];
        if (_width == 32)
        {
            BinaryPrimitives.WriteUInt32BigEndian(bytes, (uint)crc);
        }
        else
        {
            BinaryPrimitives.WriteUInt64BigEndian(bytes, crc);
        }

        return Convert.ToBase64String(bytes);
    }

    private ulong Decode(string base64)
    {
        var bytes = Convert.FromBase64String(base64);
        return _width == 32 ? BinaryPrimitives.ReadUInt32BigEndian(bytes) : BinaryPrimitives.ReadUInt64BigEndian(bytes);
    }

    /// <summary>x^(8·bytes) modulo the polynomial.</summary>
    private ulong PowerOfX(long bytes)
    {
        var power = 1UL << (_width - 1);
        var n = (ulong)bytes;
        for (var k = 3; n != 0; k++, n >>= 1)
        {
            if ((n & 1) != 0)
            {
                power = Multiply(_powers[k], power);
            }
        }

        return power;
    }

    /// <summary>a·b modulo the polynomial, both in reflected bit order.</summary>
    private ulong Multiply(ulong a, ulong b)
    {
        var top = 1UL << (_width - 1);
        ulong product = 0;
        for (var m = top; m != 0; m >>= 1)
        {
            if ((a & m) != 0)
            {
                product ^= b;
            }

            b = (b & 1) != 0 ? (b >> 1) ^ _reflectedPolynomial : b >> 1;
        }

        return product;
    }
}
