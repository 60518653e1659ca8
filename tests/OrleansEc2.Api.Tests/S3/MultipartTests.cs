using System.Net;
using System.Security.Cryptography;
using Amazon.S3;
using Amazon.S3.Model;
using Amazon.S3.Transfer;
using OrleansEc2.Api.Tests.Infrastructure;
using static OrleansEc2.Api.Tests.S3.S3TestKit;

namespace OrleansEc2.Api.Tests.S3;

[Collection(ApiSiloCollection.Name)]
public sealed class MultipartTests(ApiSiloFixture silo)
{
    private const int FiveMiB = 5 * 1024 * 1024;

    [Fact]
    public async Task TransferUtility_50MiB_UploadsInPartsAndReadsBackByteExact()
    {
        using var s3 = silo.Alices3();
        var bucket = await CreateBucketAsync(s3);
        var content = Bytes(50 * 1024 * 1024, 50);
        using var transfer = new TransferUtility(s3, new TransferUtilityConfig { MinSizeBeforePartUpload = 16 * 1024 * 1024 });

        await transfer.UploadAsync(new TransferUtilityUploadRequest { BucketName = bucket, Key = "big.bin", InputStream = new MemoryStream(content), PartSize = 8 * 1024 * 1024 });
        var head = await s3.GetObjectMetadataAsync(bucket, "big.bin");
        var read = await ReadAllAsync(s3, bucket, "big.bin");

        head.ContentLength.Should().Be(content.Length);
        head.ETag.Should().Be($"\"{MultipartETag(content, 8 * 1024 * 1024)}\"");
        read.AsSpan().SequenceEqual(content).Should().BeTrue();
        (await s3.ListMultipartUploadsAsync(bucket)).MultipartUploads.Should().BeNullOrEmpty();
    }

    [Fact]
    public async Task TransferUtility_NonSeekableStreamOfUnknownLength_UploadsAndReadsBackByteExact()
    {
        using var s3 = silo.Alices3();
        var bucket = await CreateBucketAsync(s3);
        var content = Bytes(12_345_678, 51);
        using var transfer = new TransferUtility(s3);

        await transfer.UploadAsync(new NonSeekableStream(new MemoryStream(content)), bucket, "streamed.bin");
        var read = await ReadAllAsync(s3, bucket, "streamed.bin");

        read.AsSpan().SequenceEqual(content).Should().BeTrue();
    }

    [Fact]
    public async Task PutObject_NonSeekableStreamWithDeclaredLength_IsSentAwsChunkedAndStored()
    {
        using var s3 = silo.Alices3();
        var bucket = await CreateBucketAsync(s3);
        var content = Bytes(300_001, 52);
        var request = new Amazon.S3.Model.PutObjectRequest { BucketName = bucket, Key = "piped", InputStream = new NonSeekableStream(new MemoryStream(content)) };
        request.Headers.ContentLength = content.Length;

        var put = await s3.PutObjectAsync(request);

        put.ChecksumCRC32.Should().Be(Crc32Base64(content));
        (await ReadAllAsync(s3, bucket, "piped")).Should().Equal(content);
    }

    [Fact]
    public async Task ManualUpload_CompositeCrc32_CompletesWithTheCompositeChecksumAndETag()
    {
        using var s3 = silo.Alices3();
        var bucket = await CreateBucketAsync(s3);
        var first = Bytes(FiveMiB, 53);
        var second = Bytes(1234, 54);
        var create = await s3.InitiateMultipartUploadAsync(new InitiateMultipartUploadRequest { BucketName = bucket, Key = "obj", ChecksumAlgorithm = ChecksumAlgorithm.CRC32 });

        var part1 = await s3.UploadPartAsync(new UploadPartRequest { BucketName = bucket, Key = "obj", UploadId = create.UploadId, PartNumber = 1, InputStream = new MemoryStream(first), ChecksumAlgorithm = ChecksumAlgorithm.CRC32 });
        var part2 = await s3.UploadPartAsync(new UploadPartRequest { BucketName = bucket, Key = "obj", UploadId = create.UploadId, PartNumber = 2, InputStream = new MemoryStream(second), ChecksumAlgorithm = ChecksumAlgorithm.CRC32 });
        var parts = await s3.ListPartsAsync(new ListPartsRequest { BucketName = bucket, Key = "obj", UploadId = create.UploadId });
        var complete = await s3.CompleteMultipartUploadAsync(new CompleteMultipartUploadRequest
        {
            BucketName = bucket,
            Key = "obj",
            UploadId = create.UploadId,
            PartETags = [new PartETag(1, part1.ETag), new PartETag(2, part2.ETag)],
        });
        using var got = await s3.GetObjectAsync(new GetObjectRequest { BucketName = bucket, Key = "obj", ChecksumMode = ChecksumMode.ENABLED });
        using var body = new MemoryStream();
        await got.ResponseStream.CopyToAsync(body);

        part1.ChecksumCRC32.Should().Be(Crc32Base64(first));
        parts.Parts.Select(p => (p.PartNumber, p.Size, p.ChecksumCRC32)).Should().Equal((1, FiveMiB, Crc32Base64(first)), (2, 1234, Crc32Base64(second)));
        parts.ChecksumAlgorithm.Value.Should().Be("CRC32");
        var composite = Crc32Base64([.. Convert.FromBase64String(Crc32Base64(first)), .. Convert.FromBase64String(Crc32Base64(second))]) + "-2";
        complete.ChecksumCRC32.Should().Be(composite);
        complete.ETag.Should().Be($"\"{MultipartETag([.. first, .. second], FiveMiB)}\"");
        got.ChecksumCRC32.Should().Be(composite);
        body.ToArray().Should().Equal([.. first, .. second]);
    }

    [Fact]
    public async Task ManualUpload_FullObjectCrc32_CompletesWithTheCrcOfTheWholeObject_AndRefusesAnotherValue()
    {
        using var s3 = silo.Alices3();
        var bucket = await CreateBucketAsync(s3);
        var first = Bytes(FiveMiB, 55);
        var second = Bytes(77_777, 56);
        var create = await s3.InitiateMultipartUploadAsync(new InitiateMultipartUploadRequest
        {
            BucketName = bucket,
            Key = "obj",
            ChecksumAlgorithm = ChecksumAlgorithm.CRC32,
            ChecksumType = ChecksumType.FULL_OBJECT,
        });
        var part1 = await s3.UploadPartAsync(new UploadPartRequest { BucketName = bucket, Key = "obj", UploadId = create.UploadId, PartNumber = 1, InputStream = new MemoryStream(first), ChecksumAlgorithm = ChecksumAlgorithm.CRC32 });
        var part2 = await s3.UploadPartAsync(new UploadPartRequest { BucketName = bucket, Key = "obj", UploadId = create.UploadId, PartNumber = 2, InputStream = new MemoryStream(second), ChecksumAlgorithm = ChecksumAlgorithm.CRC32 });

        var wrong = await FailsAsync(() => s3.CompleteMultipartUploadAsync(new CompleteMultipartUploadRequest
        {
            BucketName = bucket,
            Key = "obj",
            UploadId = create.UploadId,
            PartETags = [new PartETag(1, part1.ETag), new PartETag(2, part2.ETag)],
            ChecksumCRC32 = Crc32Base64(first),
        }));
        var complete = await s3.CompleteMultipartUploadAsync(new CompleteMultipartUploadRequest
        {
            BucketName = bucket,
            Key = "obj",
            UploadId = create.UploadId,
            PartETags = [new PartETag(1, part1.ETag), new PartETag(2, part2.ETag)],
            ChecksumCRC32 = Crc32Base64([.. first, .. second]),
        });

        var head = await s3.GetObjectMetadataAsync(new GetObjectMetadataRequest { BucketName = bucket, Key = "obj", ChecksumMode = ChecksumMode.ENABLED });
        using var got = await s3.GetObjectAsync(new GetObjectRequest { BucketName = bucket, Key = "obj", ChecksumMode = ChecksumMode.ENABLED });
        using var body = new MemoryStream();
        await got.ResponseStream.CopyToAsync(body);

        wrong.ErrorCode.Should().Be("BadDigest");
        create.ChecksumType.Value.Should().Be("FULL_OBJECT");
        complete.ChecksumCRC32.Should().Be(Crc32Base64([.. first, .. second]));
        complete.ChecksumType.Value.Should().Be("FULL_OBJECT");
        head.ChecksumCRC32.Should().Be(Crc32Base64([.. first, .. second]), "the whole object's CRC is kept with the object");
        head.ChecksumType.Value.Should().Be("FULL_OBJECT");
        got.ChecksumCRC32.Should().Be(Crc32Base64([.. first, .. second]));
        body.ToArray().Should().Equal([.. first, .. second]);
    }

    [Fact]
    public async Task ListMultipartUploads_And_Abort_RemoveTheUploadAndItsParts()
    {
        using var s3 = silo.Alices3();
        var bucket = await CreateBucketAsync(s3);
        var a = await s3.InitiateMultipartUploadAsync(bucket, "logs/a");
        var b = await s3.InitiateMultipartUploadAsync(bucket, "logs/b");
        var c = await s3.InitiateMultipartUploadAsync(bucket, "other");
        await s3.UploadPartAsync(new UploadPartRequest { BucketName = bucket, Key = "logs/a", UploadId = a.UploadId, PartNumber = 1, InputStream = new MemoryStream([1, 2, 3]) });

        var all = await s3.ListMultipartUploadsAsync(new ListMultipartUploadsRequest { BucketName = bucket });
        var logs = await s3.ListMultipartUploadsAsync(new ListMultipartUploadsRequest { BucketName = bucket, Prefix = "logs/" });
        var rolledUp = await s3.ListMultipartUploadsAsync(new ListMultipartUploadsRequest { BucketName = bucket, Delimiter = "/" });
        var firstPage = await s3.ListMultipartUploadsAsync(new ListMultipartUploadsRequest { BucketName = bucket, MaxUploads = 1 });
        var nextPage = await s3.ListMultipartUploadsAsync(new ListMultipartUploadsRequest { BucketName = bucket, MaxUploads = 2, KeyMarker = firstPage.NextKeyMarker, UploadIdMarker = firstPage.NextUploadIdMarker });
        var aborted = await s3.AbortMultipartUploadAsync(bucket, "logs/a", a.UploadId);
        var afterAbort = await s3.ListMultipartUploadsAsync(new ListMultipartUploadsRequest { BucketName = bucket });
        var partsOfAborted = await FailsAsync(() => s3.ListPartsAsync(new ListPartsRequest { BucketName = bucket, Key = "logs/a", UploadId = a.UploadId }));

        all.MultipartUploads.Select(u => u.Key).Should().Equal("logs/a", "logs/b", "other");
        all.MultipartUploads[0].Initiator.Id.Should().Be(ApiSiloFixture.Alice);
        logs.MultipartUploads.Select(u => u.UploadId).Should().Equal(a.UploadId, b.UploadId);
        rolledUp.MultipartUploads.Select(u => u.Key).Should().Equal("other");
        rolledUp.CommonPrefixes.Should().Equal("logs/");
        firstPage.IsTruncated.Should().BeTrue();
        firstPage.MultipartUploads.Select(u => u.Key).Should().Equal("logs/a");
        nextPage.MultipartUploads.Select(u => u.UploadId).Should().Equal(b.UploadId, c.UploadId);
        aborted.HttpStatusCode.Should().Be(HttpStatusCode.NoContent);
        afterAbort.MultipartUploads.Select(u => u.Key).Should().Equal("logs/b", "other");
        partsOfAborted.ErrorCode.Should().Be("NoSuchUpload");
        partsOfAborted.StatusCode.Should().Be(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task ListParts_MaxParts_PagesByPartNumber()
    {
        using var s3 = silo.Alices3();
        var bucket = await CreateBucketAsync(s3);
        var upload = await s3.InitiateMultipartUploadAsync(bucket, "k");
        foreach (var number in new[] { 1, 2, 5 })
        {
            await s3.UploadPartAsync(new UploadPartRequest { BucketName = bucket, Key = "k", UploadId = upload.UploadId, PartNumber = number, InputStream = new MemoryStream([(byte)number]) });
        }

        var first = await s3.ListPartsAsync(new ListPartsRequest { BucketName = bucket, Key = "k", UploadId = upload.UploadId, MaxParts = 2 });
        var second = await s3.ListPartsAsync(new ListPartsRequest { BucketName = bucket, Key = "k", UploadId = upload.UploadId, MaxParts = 2, PartNumberMarker = first.NextPartNumberMarker?.ToString(System.Globalization.CultureInfo.InvariantCulture) });

        first.Parts.Select(p => p.PartNumber).Should().Equal(1, 2);
        first.IsTruncated.Should().BeTrue();
        first.NextPartNumberMarker.Should().Be(2);
        second.Parts.Select(p => p.PartNumber).Should().Equal(5);
        second.IsTruncated.Should().BeFalse();
    }

    [Fact]
    public async Task Complete_PartSmallerThan5MiBBeforeTheLast_FailsWithEntityTooSmall()
    {
        using var s3 = silo.Alices3();
        var bucket = await CreateBucketAsync(s3);
        var upload = await s3.InitiateMultipartUploadAsync(bucket, "k");
        var p1 = await s3.UploadPartAsync(new UploadPartRequest { BucketName = bucket, Key = "k", UploadId = upload.UploadId, PartNumber = 1, InputStream = new MemoryStream([1]) });
        var p2 = await s3.UploadPartAsync(new UploadPartRequest { BucketName = bucket, Key = "k", UploadId = upload.UploadId, PartNumber = 2, InputStream = new MemoryStream([2]) });

        var error = await FailsAsync(() => s3.CompleteMultipartUploadAsync(new CompleteMultipartUploadRequest
        {
            BucketName = bucket,
            Key = "k",
            UploadId = upload.UploadId,
            PartETags = [new PartETag(1, p1.ETag), new PartETag(2, p2.ETag)],
        }));

        error.ErrorCode.Should().Be("EntityTooSmall");
        (await ExistsAsync(s3, bucket, "k")).Should().BeFalse();
    }

    [Fact]
    public async Task Complete_WrongETagOrMissingPart_FailsWithInvalidPart()
    {
        using var s3 = silo.Alices3();
        var bucket = await CreateBucketAsync(s3);
        var upload = await s3.InitiateMultipartUploadAsync(bucket, "k");
        await s3.UploadPartAsync(new UploadPartRequest { BucketName = bucket, Key = "k", UploadId = upload.UploadId, PartNumber = 1, InputStream = new MemoryStream([1]) });

        var wrongETag = await FailsAsync(() => s3.CompleteMultipartUploadAsync(new CompleteMultipartUploadRequest { BucketName = bucket, Key = "k", UploadId = upload.UploadId, PartETags = [new PartETag(1, "\"00000000000000000000000000000000\"")] }));
        var missing = await FailsAsync(() => s3.CompleteMultipartUploadAsync(new CompleteMultipartUploadRequest { BucketName = bucket, Key = "k", UploadId = upload.UploadId, PartETags = [new PartETag(7, "\"00000000000000000000000000000000\"")] }));

        wrongETag.ErrorCode.Should().Be("InvalidPart");
        missing.ErrorCode.Should().Be("InvalidPart");
    }

    [Fact]
    public async Task Complete_PartsOutOfOrder_FailsWithInvalidPartOrder()
    {
        using var http = new HttpClient();
        using var s3 = silo.Alices3();
        var bucket = await CreateBucketAsync(s3);
        var upload = await s3.InitiateMultipartUploadAsync(bucket, "k");
        var p1 = await s3.UploadPartAsync(new UploadPartRequest { BucketName = bucket, Key = "k", UploadId = upload.UploadId, PartNumber = 1, InputStream = new MemoryStream(Bytes(FiveMiB, 1)) });
        var p2 = await s3.UploadPartAsync(new UploadPartRequest { BucketName = bucket, Key = "k", UploadId = upload.UploadId, PartNumber = 2, InputStream = new MemoryStream([2]) });
        var xml = System.Text.Encoding.UTF8.GetBytes(
            $"<CompleteMultipartUpload><Part><PartNumber>2</PartNumber><ETag>{p2.ETag}</ETag></Part><Part><PartNumber>1</PartNumber><ETag>{p1.ETag}</ETag></Part></CompleteMultipartUpload>");

        var response = await http.SendAsync(new S3RawRequest { Method = HttpMethod.Post, Uri = new Uri(silo.BaseUri, $"{bucket}/k?uploadId={Uri.EscapeDataString(upload.UploadId)}"), Body = xml }.Build());

        response.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        (await ErrorOfAsync(response)).Code.Should().Be("InvalidPartOrder");
    }

    [Fact]
    public async Task Complete_PartWithAChecksumElementTwice_FailsWithMalformedXml_AndTheUploadStays()
    {
        using var http = new HttpClient();
        using var s3 = silo.Alices3();
        var bucket = await CreateBucketAsync(s3);
        var upload = await s3.InitiateMultipartUploadAsync(bucket, "k");
        var part = await s3.UploadPartAsync(new UploadPartRequest { BucketName = bucket, Key = "k", UploadId = upload.UploadId, PartNumber = 1, InputStream = new MemoryStream([1, 2, 3]) });
        var xml = System.Text.Encoding.UTF8.GetBytes(
            $"<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>{part.ETag}</ETag><ChecksumCRC32>AAAAAA==</ChecksumCRC32><ChecksumCRC32>AAAAAA==</ChecksumCRC32></Part></CompleteMultipartUpload>");

        var response = await http.SendAsync(new S3RawRequest { Method = HttpMethod.Post, Uri = new Uri(silo.BaseUri, $"{bucket}/k?uploadId={Uri.EscapeDataString(upload.UploadId)}"), Body = xml }.Build());

        response.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        (await ErrorOfAsync(response)).Code.Should().Be("MalformedXML");
        (await s3.ListPartsAsync(bucket, "k", upload.UploadId)).Parts.Should().ContainSingle().Which.ETag.Should().Be(part.ETag);
    }

    [Fact]
    public async Task UploadPart_UnknownUploadOrBadPartNumber_FailsWithNoSuchUploadOrInvalidArgument()
    {
        using var http = new HttpClient();
        using var s3 = silo.Alices3();
        var bucket = await CreateBucketAsync(s3);
        var upload = await s3.InitiateMultipartUploadAsync(bucket, "k");

        var unknown = await FailsAsync(() => s3.UploadPartAsync(new UploadPartRequest { BucketName = bucket, Key = "k", UploadId = "no-such-upload", PartNumber = 1, InputStream = new MemoryStream([1]) }));
        var badNumber = await http.SendAsync(new S3RawRequest { Uri = new Uri(silo.BaseUri, $"{bucket}/k?partNumber=10001&uploadId={Uri.EscapeDataString(upload.UploadId)}"), Body = [1] }.Build());

        unknown.ErrorCode.Should().Be("NoSuchUpload");
        (await ErrorOfAsync(badNumber)).Code.Should().Be("InvalidArgument");
    }

    [Fact]
    public async Task UploadPartCopy_WholeObjectAndRange_AssembleTheCopiedBytes()
    {
        using var s3 = silo.Alices3();
        var bucket = await CreateBucketAsync(s3);
        var source = Bytes(FiveMiB + 100, 57);
        await PutAsync(s3, bucket, "source", source);
        var upload = await s3.InitiateMultipartUploadAsync(bucket, "assembled");

        var whole = await s3.CopyPartAsync(new CopyPartRequest { SourceBucket = bucket, SourceKey = "source", DestinationBucket = bucket, DestinationKey = "assembled", UploadId = upload.UploadId, PartNumber = 1 });
        var range = await s3.CopyPartAsync(new CopyPartRequest { SourceBucket = bucket, SourceKey = "source", DestinationBucket = bucket, DestinationKey = "assembled", UploadId = upload.UploadId, PartNumber = 2, FirstByte = 10, LastByte = 19 });
        await s3.CompleteMultipartUploadAsync(new CompleteMultipartUploadRequest
        {
            BucketName = bucket,
            Key = "assembled",
            UploadId = upload.UploadId,
            PartETags = [new PartETag(1, whole.ETag), new PartETag(2, range.ETag)],
        });

        whole.ETag.Should().Be($"\"{Convert.ToHexStringLower(MD5.HashData(source))}\"");
        (await ReadAllAsync(s3, bucket, "assembled")).Should().Equal([.. source, .. source.AsSpan(10, 10)]);
    }

    [Fact]
    public async Task UploadPartCopy_RangeBeyondTheSource_FailsWithInvalidArgument()
    {
        using var s3 = silo.Alices3();
        var bucket = await CreateBucketAsync(s3);
        await PutAsync(s3, bucket, "source", Bytes(100, 58));
        var upload = await s3.InitiateMultipartUploadAsync(bucket, "k");

        var error = await FailsAsync(() => s3.CopyPartAsync(new CopyPartRequest { SourceBucket = bucket, SourceKey = "source", DestinationBucket = bucket, DestinationKey = "k", UploadId = upload.UploadId, PartNumber = 1, FirstByte = 50, LastByte = 150 }));

        error.ErrorCode.Should().Be("InvalidArgument");
    }

    [Fact]
    public async Task GetObject_PartNumber_AnswersThatPartAsARangedRead_WithThePartsCount()
    {
        using var s3 = silo.Alices3();
        var bucket = await CreateBucketAsync(s3);
        var first = Bytes(FiveMiB, 61);
        var second = Bytes(FiveMiB + 7, 62);
        var third = Bytes(333, 63);
        var upload = await s3.InitiateMultipartUploadAsync(bucket, "parts");
        var etags = new List<PartETag>();
        foreach (var (part, number) in new[] { (first, 1), (second, 2), (third, 3) })
        {
            var uploaded = await s3.UploadPartAsync(new UploadPartRequest { BucketName = bucket, Key = "parts", UploadId = upload.UploadId, PartNumber = number, InputStream = new MemoryStream(part) });
            etags.Add(new PartETag(number, uploaded.ETag));
        }

        await s3.CompleteMultipartUploadAsync(new CompleteMultipartUploadRequest { BucketName = bucket, Key = "parts", UploadId = upload.UploadId, PartETags = etags });
        var head = await s3.GetObjectMetadataAsync(new GetObjectMetadataRequest { BucketName = bucket, Key = "parts", PartNumber = 2 });
        var whole = await s3.GetObjectMetadataAsync(bucket, "parts");

        head.HttpStatusCode.Should().Be(HttpStatusCode.PartialContent);
        head.PartsCount.Should().Be(3);
        head.ContentLength.Should().Be(FiveMiB + 7);
        whole.HttpStatusCode.Should().Be(HttpStatusCode.OK);
        whole.PartsCount.Should().BeNull("S3 gives the parts count only to a request for a part");
        whole.ContentLength.Should().Be(2 * FiveMiB + 7 + 333);
        foreach (var (expected, number, offset) in new[] { (first, 1, 0L), (second, 2, (long)FiveMiB), (third, 3, 2L * FiveMiB + 7) })
        {
            using var got = await s3.GetObjectAsync(new GetObjectRequest { BucketName = bucket, Key = "parts", PartNumber = number });
            using var body = new MemoryStream();
            await got.ResponseStream.CopyToAsync(body);

            got.HttpStatusCode.Should().Be(HttpStatusCode.PartialContent);
            got.PartsCount.Should().Be(3);
            got.ContentRange.Should().Be($"bytes {offset}-{offset + expected.Length - 1}/{2 * FiveMiB + 7 + 333}");
            body.ToArray().Should().Equal(expected, $"part {number} is the bytes uploaded as part {number}");
        }

        var beyond = await FailsAsync(() => s3.GetObjectAsync(new GetObjectRequest { BucketName = bucket, Key = "parts", PartNumber = 4 }));
        beyond.ErrorCode.Should().Be("InvalidPartNumber");
        beyond.StatusCode.Should().Be(HttpStatusCode.RequestedRangeNotSatisfiable);
        beyond.Message.Should().Be("The requested partnumber is not satisfiable");
        var both = await FailsAsync(() => s3.GetObjectAsync(new GetObjectRequest { BucketName = bucket, Key = "parts", PartNumber = 1, ByteRange = new ByteRange(0, 9) }));
        both.ErrorCode.Should().Be("InvalidRequest");
        both.Message.Should().Be("Cannot specify both Range header and partNumber query parameter");
    }

    [Fact]
    public async Task GetObject_PartNumberOne_OfAnObjectPutWhole_IsTheWholeObject_AndThereIsNoPartTwo()
    {
        using var s3 = silo.Alices3();
        var bucket = await CreateBucketAsync(s3);
        var content = Bytes(1000, 64);
        await PutAsync(s3, bucket, "whole", content);

        using var got = await s3.GetObjectAsync(new GetObjectRequest { BucketName = bucket, Key = "whole", PartNumber = 1 });
        using var body = new MemoryStream();
        await got.ResponseStream.CopyToAsync(body);
        var second = await FailsAsync(() => s3.GetObjectAsync(new GetObjectRequest { BucketName = bucket, Key = "whole", PartNumber = 2 }));

        got.HttpStatusCode.Should().Be(HttpStatusCode.PartialContent);
        got.ContentRange.Should().Be("bytes 0-999/1000");
        got.PartsCount.Should().BeNull("an object put whole has no parts count");
        body.ToArray().Should().Equal(content);
        second.ErrorCode.Should().Be("InvalidPartNumber");
    }

    /// <summary>S3's multipart ETag: the MD5 of the parts' MD5s, then the part count.</summary>
    private static string MultipartETag(byte[] content, int partSize)
    {
        var digests = new List<byte>();
        var count = 0;
        for (var offset = 0; offset < content.Length; offset += partSize, count++)
        {
            digests.AddRange(MD5.HashData(content.AsSpan(offset, Math.Min(partSize, content.Length - offset))));
        }

        return $"{Convert.ToHexStringLower(MD5.HashData(digests.ToArray()))}-{count}";
    }
}
