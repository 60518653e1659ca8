using System.Buffers.Binary;
using System.Security.Cryptography;

namespace OrleansEc2.Grains.Buckets;

/// <summary>What S3 computes for a completed multipart upload: its ETag and its composite checksum.</summary>
public static class MultipartDigests
{
    /// <summary>The multipart ETag: the MD5 of the parts' binary MD5s, in hex, then <c>-</c> and the part count.</summary>
    public static string ETagOf(IReadOnlyList<string> partMd5Hex)
    {
        using var md5 = IncrementalHash.CreateHash(HashAlgorithmName.MD5);
        foreach (var part in partMd5Hex)
        {
            md5.AppendData(Convert.FromHexString(part));
        }

        return $"{Convert.ToHexStringLower(md5.GetHashAndReset())}-{partMd5Hex.Count}";
    }

    /// <summary>
    /// The composite checksum (checksum of the parts' decoded checksums, base64, then <c>-</c> and the part count) when every
    /// part carries a checksum of <paramref name="algorithm"/> and S3 computes composites for it; null otherwise.
    /// </summary>
    public static ObjectChecksum? CompositeChecksumOf(string? algorithm, IReadOnlyList<ObjectChecksum?> partChecksums)
    {
        if (algorithm is null || partChecksums.Count == 0
            || partChecksums.Any(c => c is null || !string.Equals(c.Algorithm, algorithm, StringComparison.OrdinalIgnoreCase)))
        {
            return null;
        }

        var concatenated = new List<byte>();
        foreach (var checksum in partChecksums)
        {
            try
            {
                concatenated.AddRange(Convert.FromBase64String(checksum!.Value));
            }
            catch (FormatException)
            {
                return null;
            }
        }

        var bytes = concatenated.ToArray();
        byte[]? digest = algorithm.ToUpperInvariant() switch
        {
            "SHA1" => SHA1.HashData(bytes),
            "SHA256" => SHA256.HashData(bytes),
            "CRC32" => BigEndian(Crc32.Iso.Compute(bytes)),
            "CRC32C" => BigEndian(Crc32.Castagnoli.Compute(bytes)),
            _ => null,
        };
        return digest is null
            ? null
            : new ObjectChecksum(algorithm.ToUpperInvariant(), $"{Convert.ToBase64String(digest)}-{partChecksums.Count}");
    }

    private static byte[] BigEndian(uint value)
    {
        var bytes = new byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(bytes, value);
        return bytes;
    }
}

/// <summary>Table-driven reflected CRC-32 (the ISO-HDLC polynomial S3 calls CRC32, and Castagnoli's, CRC32C).</summary>
public sealed class Crc32
{
    public static readonly Crc32 Iso = new(0xEDB88320u);

    public static readonly Crc32 Castagnoli = new(0x82F63B78u);

    private readonly uint[] _table = new uint[256];

    private Crc32(uint reflectedPolynomial)
    {
        for (uint i = 0; i < 256; i++)
        {
            var entry = i;
            for (var bit = 0; bit < 8; bit++)
            {
                entry = (entry & 1) != 0 ? (entry >> 1) ^ reflectedPolynomial : entry >> 1;
            }

            _table[i] = entry;
        }
    }

    public uint Compute(ReadOnlySpan<byte> data)
    {
        var crc = 0xFFFFFFFFu;
        foreach (var b in data)
        {
            crc = _table[(crc ^ b) & 0xFF] ^ (crc >> 8);
        }

        return ~crc;
    }
}
