using System.Net;
using System.Security.Cryptography;
using System.Text;
using Amazon.S3;
using OrleansEc2.Api.Tests.Infrastructure;
using static OrleansEc2.Api.Tests.S3.S3TestKit;

namespace OrleansEc2.Api.Tests.S3;

/// <summary>
/// Bodies as clients send them — plain with a signed SHA-256, UNSIGNED-PAYLOAD, aws-chunked with signed chunks, with a
/// signed trailer, with an unsigned trailer — and every way of getting them wrong. A body that does not check out
/// never replaces what was stored.
/// </summary>
[Collection(ApiSiloCollection.Name)]
public sealed class PayloadTests(ApiSiloFixture silo) : IDisposable
{
    private static readonly byte[] Original = Encoding.ASCII.GetBytes("the original bytes");

    private readonly HttpClient _http = new();

    public void Dispose() => _http.Dispose();

    [Theory]
    [InlineData(RawBody.Sha256)]
    [InlineData(RawBody.Unsigned)]
    [InlineData(RawBody.SignedChunks)]
    [InlineData(RawBody.SignedChunksWithTrailer)]
    [InlineData(RawBody.UnsignedChunksWithTrailer)]
    public async Task PutObject_EveryBodyKind_StoresTheDecodedBytes(RawBody kind)
    {
        using var s3 = silo.Alices3();
        var bucket = await CreateBucketAsync(s3);
        var content = Bytes(200_000, 20);

        var response = await _http.SendAsync(new S3RawRequest { Uri = ObjectUri(bucket), Body = content, BodyKind = kind, ChunkSize = 65536 }.Build());

        response.StatusCode.Should().Be(HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        response.Headers.ETag!.Tag.Should().Be($"\"{Convert.ToHexStringLower(MD5.HashData(content))}\"");
        (await ReadAllAsync(s3, bucket, "k")).Should().Equal(content);
        if (kind is RawBody.SignedChunksWithTrailer or RawBody.UnsignedChunksWithTrailer)
        {
            response.Headers.GetValues("x-amz-checksum-crc32").Single().Should().Be(Crc32Base64(content));
        }
    }

    [Theory]
    [InlineData(RawBody.SignedChunks)]
    [InlineData(RawBody.SignedChunksWithTrailer)]
    [InlineData(RawBody.UnsignedChunksWithTrailer)]
    public async Task PutObject_EmptyAwsChunkedBody_StoresAnEmptyObject(RawBody kind)
    {
        using var s3 = silo.Alices3();
        var bucket = await CreateBucketAsync(s3);

        var response = await _http.SendAsync(new S3RawRequest { Uri = ObjectUri(bucket), Body = [], BodyKind = kind }.Build());

        response.StatusCode.Should().Be(HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        (await ReadAllAsync(s3, bucket, "k")).Should().BeEmpty();
    }

    [Fact]
    public async Task PutObject_BodyChangedAfterSigning_FailsWithXAmzContentSha256Mismatch()
    {
        var (s3, bucket) = await BucketWithOriginalAsync();

        var response = await _http.SendAsync(new S3RawRequest
        {
            Uri = ObjectUri(bucket),
            Body = Bytes(1000, 21),
            TamperWire = wire => [.. wire[..^1], (byte)(wire[^1] ^ 1)],
        }.Build());

        await ExpectRefusedAsync(response, HttpStatusCode.BadRequest, "XAmzContentSHA256Mismatch", s3, bucket);
    }

    [Fact]
    public async Task PutObject_SigV4aPayload_IsNotImplemented_OnlyForARequestWhoseSignatureChecksOut()
    {
        var (s3, bucket) = await BucketWithOriginalAsync();
        const string SigV4a = "STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD";

        var signed = await _http.SendAsync(new S3RawRequest { Uri = ObjectUri(bucket), Body = Bytes(100, 23), ClaimedSha256 = SigV4a }.Build());
        var forged = await _http.SendAsync(new S3RawRequest { Uri = ObjectUri(bucket), Body = Bytes(100, 23), ClaimedSha256 = SigV4a, Secret = "not-the-secret" }.Build());

        await ExpectRefusedAsync(signed, HttpStatusCode.NotImplemented, "NotImplemented", s3, bucket);
        await ExpectRefusedAsync(forged, HttpStatusCode.Forbidden, "SignatureDoesNotMatch", s3, bucket);
    }

    [Fact]
    public async Task PutObject_WrongContentMd5_FailsWithBadDigest_AndAMalformedOneWithInvalidDigest()
    {
        var (s3, bucket) = await BucketWithOriginalAsync();
        var body = Bytes(1000, 22);

        var wrong = await _http.SendAsync(new S3RawRequest { Uri = ObjectUri(bucket), Body = body, Headers = { ["content-md5"] = S3RawRequest.Md5Base64([1, 2, 3]) } }.Build());
        var malformed = await _http.SendAsync(new S3RawRequest { Uri = ObjectUri(bucket), Body = body, Headers = { ["content-md5"] = "not-an-md5" } }.Build());

        await ExpectRefusedAsync(wrong, HttpStatusCode.BadRequest, "BadDigest", s3, bucket);
        await ExpectRefusedAsync(malformed, HttpStatusCode.BadRequest, "InvalidDigest", s3, bucket);
    }

    [Theory]
    [InlineData("x-amz-checksum-crc32", 4)]
    [InlineData("x-amz-checksum-crc32c", 4)]
    [InlineData("x-amz-checksum-crc64nvme", 8)]
    [InlineData("x-amz-checksum-sha1", 20)]
    [InlineData("x-amz-checksum-sha256", 32)]
    public async Task PutObject_ChecksumHeaderThatDoesNotMatch_FailsWithBadDigest(string header, int length)
    {
        var (s3, bucket) = await BucketWithOriginalAsync();

        var response = await _http.SendAsync(new S3RawRequest { Uri = ObjectUri(bucket), Body = Bytes(1000, 23), Headers = { [header] = Convert.ToBase64String(new byte[length]) } }.Build());

        await ExpectRefusedAsync(response, HttpStatusCode.BadRequest, "BadDigest", s3, bucket);
    }

    [Fact]
    public async Task PutObject_EveryChecksumAlgorithm_IsVerifiedStoredAndReturned()
    {
        using var s3 = silo.Alices3();
        var bucket = await CreateBucketAsync(s3);
        var body = Encoding.ASCII.GetBytes("123456789");
        var expected = new Dictionary<string, string>
        {
            ["x-amz-checksum-crc32"] = Convert.ToBase64String([0xCB, 0xF4, 0x39, 0x26]),
            ["x-amz-checksum-crc32c"] = Convert.ToBase64String([0xE3, 0x06, 0x92, 0x83]),
            ["x-amz-checksum-crc64nvme"] = Convert.ToBase64String([0xAE, 0x8B, 0x14, 0x86, 0x0A, 0x79, 0x98, 0x88]),
            ["x-amz-checksum-sha1"] = Convert.ToBase64String(SHA1.HashData(body)),
            ["x-amz-checksum-sha256"] = Convert.ToBase64String(SHA256.HashData(body)),
        };

        foreach (var (header, value) in expected)
        {
            var put = await _http.SendAsync(new S3RawRequest { Uri = ObjectUri(bucket, header), Body = body, Headers = { [header] = value } }.Build());
            var get = await _http.SendAsync(new S3RawRequest { Method = HttpMethod.Get, Uri = ObjectUri(bucket, header), Headers = { ["x-amz-checksum-mode"] = "ENABLED" } }.Build());
            var plainGet = await _http.SendAsync(new S3RawRequest { Method = HttpMethod.Get, Uri = ObjectUri(bucket, header) }.Build());

            put.StatusCode.Should().Be(HttpStatusCode.OK, header);
            put.Headers.GetValues(header).Single().Should().Be(value);
            get.Headers.GetValues(header).Single().Should().Be(value);
            get.Headers.GetValues("x-amz-checksum-type").Single().Should().Be("FULL_OBJECT");
            plainGet.Headers.Contains(header).Should().BeFalse();
        }
    }

    [Fact]
    public async Task PutObject_TwoChecksumHeaders_FailsWithInvalidRequest()
    {
        var (s3, bucket) = await BucketWithOriginalAsync();
        var body = Bytes(10, 24);

        var response = await _http.SendAsync(new S3RawRequest
        {
            Uri = ObjectUri(bucket),
            Body = body,
            Headers = { ["x-amz-checksum-crc32"] = Crc32Base64(body), ["x-amz-checksum-sha256"] = Convert.ToBase64String(SHA256.HashData(body)) },
        }.Build());

        await ExpectRefusedAsync(response, HttpStatusCode.BadRequest, "InvalidRequest", s3, bucket);
    }

    [Fact]
    public async Task PutObject_GarbledChunkSignature_FailsWithSignatureDoesNotMatch()
    {
        var (s3, bucket) = await BucketWithOriginalAsync();

        var response = await _http.SendAsync(new S3RawRequest { Uri = ObjectUri(bucket), Body = Bytes(300_000, 25), BodyKind = RawBody.SignedChunksWithTrailer, GarbleChunkSignature = 3 }.Build());

        await ExpectRefusedAsync(response, HttpStatusCode.Forbidden, "SignatureDoesNotMatch", s3, bucket);
    }

    [Fact]
    public async Task PutObject_GarbledFinalChunkSignature_FailsWithSignatureDoesNotMatch()
    {
        var (s3, bucket) = await BucketWithOriginalAsync();

        var response = await _http.SendAsync(new S3RawRequest { Uri = ObjectUri(bucket), Body = Bytes(100, 26), BodyKind = RawBody.SignedChunks, GarbleChunkSignature = 2 }.Build());

        await ExpectRefusedAsync(response, HttpStatusCode.Forbidden, "SignatureDoesNotMatch", s3, bucket);
    }

    [Fact]
    public async Task PutObject_ChunkDataChangedAfterSigning_FailsWithSignatureDoesNotMatch()
    {
        var (s3, bucket) = await BucketWithOriginalAsync();

        var response = await _http.SendAsync(new S3RawRequest
        {
            Uri = ObjectUri(bucket),
            Body = Bytes(100_000, 27),
            BodyKind = RawBody.SignedChunks,
            TamperWire = wire =>
            {
                var copy = wire.ToArray();
                copy[200] ^= 0xFF;
                return copy;
            },
        }.Build());

        await ExpectRefusedAsync(response, HttpStatusCode.Forbidden, "SignatureDoesNotMatch", s3, bucket);
    }

    [Fact]
    public async Task PutObject_GarbledTrailerSignature_FailsWithSignatureDoesNotMatch()
    {
        var (s3, bucket) = await BucketWithOriginalAsync();

        var response = await _http.SendAsync(new S3RawRequest { Uri = ObjectUri(bucket), Body = Bytes(100, 28), BodyKind = RawBody.SignedChunksWithTrailer, GarbleTrailerSignature = true }.Build());

        await ExpectRefusedAsync(response, HttpStatusCode.Forbidden, "SignatureDoesNotMatch", s3, bucket);
    }

    [Theory]
    [InlineData(RawBody.SignedChunksWithTrailer)]
    [InlineData(RawBody.UnsignedChunksWithTrailer)]
    public async Task PutObject_TrailerChecksumThatDoesNotMatch_FailsWithBadDigest(RawBody kind)
    {
        var (s3, bucket) = await BucketWithOriginalAsync();

        var response = await _http.SendAsync(new S3RawRequest { Uri = ObjectUri(bucket), Body = Bytes(100, 29), BodyKind = kind, Trailer = ("x-amz-checksum-crc32", "AAAAAA==") }.Build());

        await ExpectRefusedAsync(response, HttpStatusCode.BadRequest, "BadDigest", s3, bucket);
    }

    [Fact]
    public async Task PutObject_SignedWithAnotherSecret_FailsWithSignatureDoesNotMatch()
    {
        var (s3, bucket) = await BucketWithOriginalAsync();

        var response = await _http.SendAsync(new S3RawRequest { Uri = ObjectUri(bucket), Body = Bytes(100, 30), BodyKind = RawBody.SignedChunksWithTrailer, Secret = ApiSiloFixture.BobSecret }.Build());

        await ExpectRefusedAsync(response, HttpStatusCode.Forbidden, "SignatureDoesNotMatch", s3, bucket);
    }

    [Theory]
    [InlineData(RawBody.Sha256)]
    [InlineData(RawBody.SignedChunks)]
    [InlineData(RawBody.UnsignedChunksWithTrailer)]
    public async Task PutObject_TruncatedBody_FailsWithIncompleteBody(RawBody kind)
    {
        var (s3, bucket) = await BucketWithOriginalAsync();
        var body = Bytes(150_000, 31);
        var request = new S3RawRequest { Uri = ObjectUri(bucket), Body = body, BodyKind = kind, TamperWire = wire => wire[..(wire.Length / 2)] }.Build();
        if (kind == RawBody.Sha256)
        {
            // Sent whole but announced longer: the body ends before its Content-Length.
            request = new S3RawRequest { Uri = ObjectUri(bucket), Body = body, BodyKind = kind, Headers = { ["x-amz-meta-n"] = "1" } }.Build();
            request.Content = new TruncatingContent(body, announced: body.Length + 10);
        }

        var response = await SendTolerantAsync(request);

        if (response is not null)
        {
            await ExpectRefusedAsync(response, HttpStatusCode.BadRequest, "IncompleteBody", s3, bucket);
        }

        (await ReadAllAsync(s3, bucket, "k")).Should().Equal(Original);
    }

    [Fact]
    public async Task PutObject_DecodedLengthLongerThanTheChunks_FailsWithIncompleteBody()
    {
        var (s3, bucket) = await BucketWithOriginalAsync();

        var response = await _http.SendAsync(new S3RawRequest
        {
            Uri = ObjectUri(bucket),
            Body = Bytes(1000, 32),
            BodyKind = RawBody.UnsignedChunksWithTrailer,
            Headers = { ["x-amz-decoded-content-length"] = "1001" },
        }.Build());

        await ExpectRefusedAsync(response, HttpStatusCode.BadRequest, "IncompleteBody", s3, bucket);
    }

    [Theory]
    [InlineData("zz;chunk-signature=00\r\n")]
    [InlineData("-5\r\nhello\r\n0\r\n\r\n")]
    [InlineData("5\r\nhelloXX0\r\n\r\n")]
    [InlineData("ffffffffffffffffff\r\n")]
    public async Task PutObject_MalformedChunks_FailsWithInvalidRequestNeverA500(string wire)
    {
        var (s3, bucket) = await BucketWithOriginalAsync();

        var response = await _http.SendAsync(new S3RawRequest
        {
            Uri = ObjectUri(bucket),
            Body = Encoding.ASCII.GetBytes("hello"),
            BodyKind = RawBody.UnsignedChunksWithTrailer,
            Trailer = null,
            Headers = { ["x-amz-decoded-content-length"] = "5" },
            TamperWire = _ => Encoding.ASCII.GetBytes(wire),
        }.Build());

        await ExpectRefusedAsync(response, HttpStatusCode.BadRequest, "InvalidRequest", s3, bucket);
    }

    [Fact]
    public async Task PutObject_RandomGarbageAwsChunkedBodies_AreAlwaysRefusedWithA4xx()
    {
        var (s3, bucket) = await BucketWithOriginalAsync();
        var random = new Random(33);
        for (var i = 0; i < 25; i++)
        {
            var garbage = new byte[random.Next(1, 400)];
            random.NextBytes(garbage);
            if (i % 2 == 0)
            {
                Encoding.ASCII.GetBytes("10;chunk-signature=").CopyTo(garbage, 0);
            }

            var response = await _http.SendAsync(new S3RawRequest { Uri = ObjectUri(bucket), Body = [1, 2, 3], BodyKind = RawBody.SignedChunksWithTrailer, TamperWire = _ => garbage }.Build());

            ((int)response.StatusCode).Should().BeInRange(400, 499, Encoding.ASCII.GetString(garbage));
        }

        (await ReadAllAsync(s3, bucket, "k")).Should().Equal(Original);
    }

    [Fact]
    public async Task PutObject_TrailerDeclaredButNotSent_FailsWithMalformedTrailer()
    {
        var (s3, bucket) = await BucketWithOriginalAsync();

        var response = await _http.SendAsync(new S3RawRequest
        {
            Uri = ObjectUri(bucket),
            Body = Encoding.ASCII.GetBytes("hello"),
            BodyKind = RawBody.UnsignedChunksWithTrailer,
            Headers = { ["x-amz-trailer"] = "x-amz-checksum-crc32" },
            TamperWire = _ => Encoding.ASCII.GetBytes("5\r\nhello\r\n0\r\n\r\n"),
        }.Build());

        await ExpectRefusedAsync(response, HttpStatusCode.BadRequest, "MalformedTrailerError", s3, bucket);
    }

    [Fact]
    public async Task PutObject_UnknownPayloadHashForm_FailsWithInvalidArgument()
    {
        var (s3, bucket) = await BucketWithOriginalAsync();

        var response = await _http.SendAsync(new S3RawRequest { Uri = ObjectUri(bucket), Body = [1], ClaimedSha256 = "not-a-hash" }.Build());

        await ExpectRefusedAsync(response, HttpStatusCode.BadRequest, "InvalidArgument", s3, bucket);
    }

    [Fact]
    public async Task DeleteObject_WithABodyThatDoesNotMatchItsSignedHash_ChangesNothing()
    {
        var (s3, bucket) = await BucketWithOriginalAsync();

        var response = await _http.SendAsync(new S3RawRequest { Method = HttpMethod.Delete, Uri = ObjectUri(bucket), Body = [1, 2, 3], ClaimedSha256 = SigV4Hex([9]) }.Build());

        await ExpectRefusedAsync(response, HttpStatusCode.BadRequest, "XAmzContentSHA256Mismatch", s3, bucket);
    }

    [Fact]
    public async Task Request_IsLoggedWithItsRequestIdOperationAccountBucketAndOutcome()
    {
        using var s3 = silo.Alices3();
        var bucket = await CreateBucketAsync(s3);

        await PutAsync(s3, bucket, "logged", [1, 2, 3]);

        // The line (category FrontDoor.S3) is written once the answer is sent, so it may land just after the client has it.
        var expected = " PutObject account=111122223333 bucket=" + bucket + " status=200 code=-";
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        while (!silo.Log.Entries.Any(e => e.Message.Contains(expected, StringComparison.Ordinal)) && !timeout.IsCancellationRequested)
        {
            await Task.Delay(10, CancellationToken.None);
        }

        silo.Log.Entries.Select(e => e.Message).Should().Contain(m => m.Contains(expected, StringComparison.Ordinal) && m.StartsWith("S3 ", StringComparison.Ordinal));
    }

    private static string SigV4Hex(byte[] data) => Convert.ToHexStringLower(SHA256.HashData(data));

    private Uri ObjectUri(string bucket, string key = "k") => new(silo.BaseUri, $"{bucket}/{key}");

    private async Task<(IAmazonS3 S3, string Bucket)> BucketWithOriginalAsync()
    {
        var s3 = silo.Alices3();
        var bucket = await CreateBucketAsync(s3);
        await PutAsync(s3, bucket, "k", Original);
        return (s3, bucket);
    }

    private static async Task ExpectRefusedAsync(HttpResponseMessage response, HttpStatusCode status, string code, IAmazonS3 s3, string bucket)
    {
        var text = await response.Content.ReadAsStringAsync();
        response.StatusCode.Should().Be(status, text);
        (await ErrorOfAsync(response)).Code.Should().Be(code, text);
        (await ReadAllAsync(s3, bucket, "k")).Should().Equal(Original);
    }

    /// <summary>Sends a request whose body may end early; null when the connection ended before an answer.</summary>
    private async Task<HttpResponseMessage?> SendTolerantAsync(HttpRequestMessage request)
    {
        try
        {
            return await _http.SendAsync(request);
        }
        catch (HttpRequestException)
        {
            return null;
        }
    }

    /// <summary>Announces more bytes than it sends, as a client that dies mid-upload.</summary>
    private sealed class TruncatingContent(byte[] body, long announced) : HttpContent
    {
        protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context)
        {
            await stream.WriteAsync(body);
            await stream.FlushAsync();
            throw new IOException("The client stopped sending.");
        }

        protected override bool TryComputeLength(out long length)
        {
            length = announced;
            return true;
        }
    }
}
