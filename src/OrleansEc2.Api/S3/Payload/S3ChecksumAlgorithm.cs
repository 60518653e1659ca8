using System.Buffers.Binary;
using System.IO.Hashing;
using System.Security.Cryptography;

namespace OrleansEc2.Api.S3.Payload;

/// <summary>
/// One of S3's additional checksums (<c>x-amz-checksum-crc32</c>, <c>-crc32c</c>, <c>-crc64nvme</c>, <c>-sha1</c>,
/// <c>-sha256</c>): its name, its header, and how to compute it. CRCs are sent big-endian, every value base64.
/// </summary>
internal sealed class S3ChecksumAlgorithm
{
    public static readonly S3ChecksumAlgorithm Crc32 = new("CRC32", 4);
    public static readonly S3ChecksumAlgorithm Crc32C = new("CRC32C", 4);
    public static readonly S3ChecksumAlgorithm Crc64Nvme = new("CRC64NVME", 8);
    public static readonly S3ChecksumAlgorithm Sha1 = new("SHA1", 20);
    public static readonly S3ChecksumAlgorithm Sha256 = new("SHA256", 32);

    public static readonly IReadOnlyList<S3ChecksumAlgorithm> All = [Crc64Nvme, Crc32C, Crc32, Sha1, Sha256];

    private const string HeaderPrefix = "x-amz-checksum-";

    private S3ChecksumAlgorithm(string name, int length)
    {
        Name = name;
        DigestLength = length;
        HeaderName = HeaderPrefix + name.ToLowerInvariant();
    }

    /// <summary>The name S3 uses in headers and XML (<c>CRC32</c>).</summary>
    public string Name { get; }

    /// <summary>The header that carries it (<c>x-amz-checksum-crc32</c>).</summary>
    public string HeaderName { get; }

    /// <summary>The XML element of a response (<c>ChecksumCRC32</c>).</summary>
    public string ElementName => "Checksum" + Name;

    public int DigestLength { get; }

    public static S3ChecksumAlgorithm? FromName(string? name) =>
        name is null ? null : All.FirstOrDefault(a => string.Equals(a.Name, name.Trim(), StringComparison.OrdinalIgnoreCase));

    public static S3ChecksumAlgorithm? FromHeaderName(string? header) =>
        header is null ? null : All.FirstOrDefault(a => string.Equals(a.HeaderName, header.Trim(), StringComparison.OrdinalIgnoreCase));

    /// <summary>Whether <paramref name="value"/> is a base64 digest of this algorithm's length.</summary>
    public bool IsWellFormed(string value)
    {
        Span<byte> decoded = stackalloc byte[32];
        return Convert.TryFromBase64String(value, decoded, out var written) && written == DigestLength;
    }

    public S3ChecksumComputation Start() => new(this);

    /// <summary>The checksum of <paramref name="data"/>, base64.</summary>
    public string Compute(ReadOnlySpan<byte> data)
    {
        using var computation = Start();
        computation.Append(data);
        return computation.GetBase64();
    }

    public override string ToString() => Name;

    /// <summary>An incremental computation of one checksum.</summary>
    internal sealed class S3ChecksumComputation : IDisposable
    {
        private readonly S3ChecksumAlgorithm _algorithm;
        private readonly System.IO.Hashing.Crc32? _crc32;
        private readonly Crc64? _crc64;
        private readonly IncrementalHash? _hash;

        public S3ChecksumComputation(S3ChecksumAlgorithm algorithm)
        {
            _algorithm = algorithm;
            if (algorithm == Crc32)
            {
                _crc32 = new System.IO.Hashing.Crc32();
            }
            else if (algorithm == Crc32C)
            {
                _crc32 = new System.IO.Hashing.Crc32(Crc32ParameterSet.Crc32C);
            }
            else if (algorithm == Crc64Nvme)
            {
                _crc64 = new Crc64(Crc64ParameterSet.Nvme);
            }
            else
            {
                _hash = IncrementalHash.CreateHash(algorithm == Sha1 ? HashAlgorithmName.SHA1 : HashAlgorithmName.SHA256);
            }
        }

        public S3ChecksumAlgorithm Algorithm => _algorithm;

        public void Append(ReadOnlySpan<byte> data)
        {
            if (_crc32 is not null)
            {
                _crc32.Append(data);
            }
            else if (_crc64 is not null)
            {
                _crc64.Append(data);
            }
            else
            {
                _hash!.AppendData(data);
            }
        }

        public string GetBase64()
        {
            if (_crc32 is not null)
            {
                Span<byte> bytes = stackalloc byte[4];
                BinaryPrimitives.WriteUInt32BigEndian(bytes, _crc32.GetCurrentHashAsUInt32());
                return Convert.ToBase64String(bytes);
            }

            if (_crc64 is not null)
            {
                Span<byte> bytes = stackalloc byte[8];
                BinaryPrimitives.WriteUInt64BigEndian(bytes, _crc64.GetCurrentHashAsUInt64());
                return Convert.ToBase64String(bytes);
            }

            return Convert.ToBase64String(_hash!.GetCurrentHash());
        }

        public void Dispose() => _hash?.Dispose();
    }
}
