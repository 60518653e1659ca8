using System.Net;
using System.Security.Cryptography;
using Amazon.S3;
using Amazon.S3.Model;
using OrleansEc2.Api.Tests.Infrastructure;
using static OrleansEc2.Api.Tests.S3.S3TestKit;

namespace OrleansEc2.Api.Tests.S3;

/// <summary>
/// The checksum a read with <c>x-amz-checksum-mode: ENABLED</c> answers, as S3 answers it: a part of a COMPOSITE
/// multipart object (GetObject/HeadObject with <c>partNumber</c>) carries that part's own checksum, typed COMPOSITE —
/// which the SDK checks against the bytes it reads; a read of the whole object its whole checksum; a read of some bytes
/// that no stored checksum covers, none.
/// </summary>
[Collection(ApiSiloCollection.Name)]
public sealed class PartChecksumTests(ApiSiloFixture silo)
{
    private const int FiveMiB = 5 * 1024 * 1024;

    public static TheoryData<string> CompositeAlgorithms => new() { "CRC32", "CRC32C", "SHA1", "SHA256" };

    [Theory]
    [MemberData(nameof(CompositeAlgorithms))]
    public async Task GetAndHeadObject_PartOfACompositeUpload_AnswerThatPartsChecksum_TypedComposite(string algorithm)
    {
        using var s3 = silo.Alices3();
        var bucket = await CreateBucketAsync(s3);
        byte[][] parts = [Bytes(FiveMiB, 71), Bytes(4321, 72)];
        var uploaded = await UploadAsync(s3, bucket, "obj", new ChecksumAlgorithm(algorithm), null, parts);

        for (var number = 1; number <= parts.Length; number++)
        {
            var expected = ChecksumOf(algorithm, parts[number - 1]);
            using var got = await s3.GetObjectAsync(new GetObjectRequest { BucketName = bucket, Key = "obj", PartNumber = number, ChecksumMode = ChecksumMode.ENABLED });
            using var body = new MemoryStream();

            // The SDK checks the part's bytes against the checksum header as it reads them.
            await got.ResponseStream.CopyToAsync(body);
            var head = await s3.GetObjectMetadataAsync(new GetObjectMetadataRequest { BucketName = bucket, Key = "obj", PartNumber = number, ChecksumMode = ChecksumMode.ENABLED });

            uploaded[number - 1].Should().Be(expected, "UploadPart answered the part's checksum");
            got.HttpStatusCode.Should().Be(HttpStatusCode.PartialContent);
            ChecksumOf(got, algorithm).Should().Be(expected, $"part {number} answers its own checksum");
            got.ChecksumType.Value.Should().Be("COMPOSITE");
            body.ToArray().Should().Equal(parts[number - 1]);
            ChecksumOf(head, algorithm).Should().Be(expected);
            head.ChecksumType.Value.Should().Be("COMPOSITE");
            head.PartsCount.Should().Be(2);
        }

        var whole = await s3.GetObjectMetadataAsync(new GetObjectMetadataRequest { BucketName = bucket, Key = "obj", ChecksumMode = ChecksumMode.ENABLED });
        ChecksumOf(whole, algorithm).Should().Be(Composite(algorithm, parts), "the whole object still answers the composite");
        whole.ChecksumType.Value.Should().Be("COMPOSITE");
    }

    [Fact]
    public async Task APartOfACompositeUploadOfOnePart_AnswersThePartsChecksum_NotTheComposite()
    {
        using var s3 = silo.Alices3();
        var bucket = await CreateBucketAsync(s3);
        var part = Bytes(1000, 73);
        await UploadAsync(s3, bucket, "one", ChecksumAlgorithm.SHA256, null, [part]);

        var head = await s3.GetObjectMetadataAsync(new GetObjectMetadataRequest { BucketName = bucket, Key = "one", PartNumber = 1, ChecksumMode = ChecksumMode.ENABLED });
        var whole = await s3.GetObjectMetadataAsync(new GetObjectMetadataRequest { BucketName = bucket, Key = "one", ChecksumMode = ChecksumMode.ENABLED });

        head.ChecksumSHA256.Should().Be(ChecksumOf("SHA256", part));
        head.ChecksumType.Value.Should().Be("COMPOSITE");
        whole.ChecksumSHA256.Should().Be(Composite("SHA256", [part]));
    }

    [Fact]
    public async Task APartRead_WithoutChecksumMode_CarriesNoChecksum()
    {
        using var s3 = silo.Alices3();
        var bucket = await CreateBucketAsync(s3);
        await UploadAsync(s3, bucket, "obj", ChecksumAlgorithm.CRC32, null, [Bytes(FiveMiB, 74), Bytes(10, 75)]);

        using var response = await silo.Http.SendAsync(new S3RawRequest { Method = HttpMethod.Head, Uri = new Uri(silo.BaseUri, $"{bucket}/obj?partNumber=1") }.Build());

        response.StatusCode.Should().Be(HttpStatusCode.PartialContent);
        response.Headers.Contains("x-amz-checksum-crc32").Should().BeFalse();
        response.Headers.Contains("x-amz-checksum-type").Should().BeFalse();
    }

    [Fact]
    public async Task APartOfAFullObjectUploadOfSeveralParts_AnswersNoChecksum_AndOfOnePart_TheWholeObjects()
    {
        using var s3 = silo.Alices3();
        var bucket = await CreateBucketAsync(s3);
        byte[][] parts = [Bytes(FiveMiB, 76), Bytes(77, 77)];
        var single = Bytes(500, 78);
        await UploadAsync(s3, bucket, "several", ChecksumAlgorithm.CRC32, ChecksumType.FULL_OBJECT, parts);
        await UploadAsync(s3, bucket, "single", ChecksumAlgorithm.CRC32, ChecksumType.FULL_OBJECT, [single]);

        using var several = await silo.Http.SendAsync(new S3RawRequest { Method = HttpMethod.Head, Uri = new Uri(silo.BaseUri, $"{bucket}/several?partNumber=2"), Headers = { ["x-amz-checksum-mode"] = "ENABLED" } }.Build());
        var one = await s3.GetObjectMetadataAsync(new GetObjectMetadataRequest { BucketName = bucket, Key = "single", PartNumber = 1, ChecksumMode = ChecksumMode.ENABLED });

        several.StatusCode.Should().Be(HttpStatusCode.PartialContent);
        several.Headers.Contains("x-amz-checksum-crc32").Should().BeFalse("a FULL_OBJECT checksum covers no one part of several");
        one.ChecksumCRC32.Should().Be(Crc32Base64(single), "the one part is the whole object");
        one.ChecksumType.Value.Should().Be("FULL_OBJECT");
    }

    [Fact]
    public async Task AnObjectPutWhole_AnswersItsChecksumForPartOneAndAWholeRange_AndNoneForSomeOfIt()
    {
        using var s3 = silo.Alices3();
        var bucket = await CreateBucketAsync(s3);
        var content = Bytes(1000, 79);
        await s3.PutObjectAsync(new Amazon.S3.Model.PutObjectRequest { BucketName = bucket, Key = "k", InputStream = new MemoryStream(content), ChecksumAlgorithm = ChecksumAlgorithm.SHA256 });

        var partOne = await ReadHeadersAsync(bucket, "k?partNumber=1", null);
        var wholeRange = await ReadHeadersAsync(bucket, "k", "bytes=0-999");
        var someOfIt = await ReadHeadersAsync(bucket, "k", "bytes=0-9");

        partOne.Should().Equal(Convert.ToBase64String(SHA256.HashData(content)), "FULL_OBJECT");
        wholeRange.Should().Equal(Convert.ToBase64String(SHA256.HashData(content)), "FULL_OBJECT");
        someOfIt.Should().BeEmpty("no stored checksum covers ten bytes of a thousand");
    }

    /// <summary>The checksum and checksum type headers a GET with checksum mode answers, in that order.</summary>
    private async Task<List<string>> ReadHeadersAsync(string bucket, string keyAndQuery, string? range)
    {
        var request = new S3RawRequest { Method = HttpMethod.Get, Uri = new Uri(silo.BaseUri, $"{bucket}/{keyAndQuery}"), Headers = { ["x-amz-checksum-mode"] = "ENABLED" } };
        if (range is not null)
        {
            request.Headers["range"] = range;
        }

        using var response = await silo.Http.SendAsync(request.Build());
        response.StatusCode.Should().Be(HttpStatusCode.PartialContent);
        return
        [
            .. response.Headers.TryGetValues("x-amz-checksum-sha256", out var checksum) ? checksum : [],
            .. response.Headers.TryGetValues("x-amz-checksum-type", out var type) ? type : [],
        ];
    }

    /// <summary>A multipart upload of <paramref name="parts"/> with <paramref name="algorithm"/>; the part checksums UploadPart answered.</summary>
    private static async Task<List<string>> UploadAsync(IAmazonS3 s3, string bucket, string key, ChecksumAlgorithm algorithm, ChecksumType? type, byte[][] parts)
    {
        var create = await s3.InitiateMultipartUploadAsync(new InitiateMultipartUploadRequest { BucketName = bucket, Key = key, ChecksumAlgorithm = algorithm, ChecksumType = type });
        var etags = new List<PartETag>();
        var checksums = new List<string>();
        for (var i = 0; i < parts.Length; i++)
        {
            var part = await s3.UploadPartAsync(new UploadPartRequest { BucketName = bucket, Key = key, UploadId = create.UploadId, PartNumber = i + 1, InputStream = new MemoryStream(parts[i]), ChecksumAlgorithm = algorithm });
            etags.Add(new PartETag(i + 1, part.ETag));
            checksums.Add(algorithm.Value switch
            {
                "CRC32" => part.ChecksumCRC32,
                "CRC32C" => part.ChecksumCRC32C,
                "SHA1" => part.ChecksumSHA1,
                _ => part.ChecksumSHA256,
            });
        }

        var complete = new CompleteMultipartUploadRequest { BucketName = bucket, Key = key, UploadId = create.UploadId, PartETags = etags };
        if (type == ChecksumType.FULL_OBJECT)
        {
            complete.ChecksumType = ChecksumType.FULL_OBJECT;
        }

        await s3.CompleteMultipartUploadAsync(complete);
        return checksums;
    }

    private static string ChecksumOf(string algorithm, byte[] data) => Convert.ToBase64String(Digest(algorithm, data));

    private static byte[] Digest(string algorithm, byte[] data) => algorithm switch
    {
        "CRC32" => BigEndian(System.IO.Hashing.Crc32.HashToUInt32(data)),
        "CRC32C" => BigEndian(Crc32C(data)),
        "SHA1" => SHA1.HashData(data),
        _ => SHA256.HashData(data),
    };

    /// <summary>S3's composite: the checksum of the parts' binary checksums, then the part count.</summary>
    private static string Composite(string algorithm, byte[][] parts) =>
        Convert.ToBase64String(Digest(algorithm, [.. parts.SelectMany(p => Digest(algorithm, p))])) + "-" + parts.Length;

    private static string? ChecksumOf(GetObjectResponse response, string algorithm) => algorithm switch
    {
        "CRC32" => response.ChecksumCRC32,
        "CRC32C" => response.ChecksumCRC32C,
        "SHA1" => response.ChecksumSHA1,
        _ => response.ChecksumSHA256,
    };

    private static string? ChecksumOf(GetObjectMetadataResponse response, string algorithm) => algorithm switch
    {
        "CRC32" => response.ChecksumCRC32,
        "CRC32C" => response.ChecksumCRC32C,
        "SHA1" => response.ChecksumSHA1,
        _ => response.ChecksumSHA256,
    };

    private static byte[] BigEndian(uint value)
    {
        var bytes = new byte[4];
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(bytes, value);
        return bytes;
    }

    /// <summary>CRC-32C (Castagnoli), bit by bit: an oracle independent of the endpoint's table-driven one.</summary>
    private static uint Crc32C(byte[] data)
    {
        var crc = 0xFFFFFFFFu;
        foreach (var b in data)
        {
            crc ^= b;
            for (var bit = 0; bit < 8; bit++)
            {
                crc = (crc & 1) != 0 ? (crc >> 1) ^ 0x82F63B78u : crc >> 1;
            }
        }

        return ~crc;
    }
}
