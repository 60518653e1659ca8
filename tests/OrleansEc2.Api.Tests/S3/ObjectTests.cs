using System.Net;
using System.Security.Cryptography;
using System.Text;
using Amazon.S3;
using Amazon.S3.Model;
using OrleansEc2.Api.Auth;
using OrleansEc2.Api.Tests.Infrastructure;
using static OrleansEc2.Api.Tests.S3.S3TestKit;

namespace OrleansEc2.Api.Tests.S3;

using PutObjectRequest = Amazon.S3.Model.PutObjectRequest;

[Collection(ApiSiloCollection.Name)]
public sealed class ObjectTests(ApiSiloFixture silo)
{
    [Fact]
    public async Task PutObject_ThenGetObject_ReturnsBytesMetadataContentTypeETagAndChecksum()
    {
        using var s3 = silo.Alices3();
        var bucket = await CreateBucketAsync(s3);
        var content = Bytes(200_000, 1);
        var request = new PutObjectRequest { BucketName = bucket, Key = "docs/report.bin", InputStream = new MemoryStream(content), ContentType = "application/x-report" };
        request.Metadata.Add("color", "blue");
        request.Metadata.Add("Owner-Name", "Alice");

        var put = await s3.PutObjectAsync(request);
        using var got = await s3.GetObjectAsync(new GetObjectRequest { BucketName = bucket, Key = "docs/report.bin", ChecksumMode = ChecksumMode.ENABLED });
        using var body = new MemoryStream();
        await got.ResponseStream.CopyToAsync(body);

        var md5 = Convert.ToHexStringLower(MD5.HashData(content));
        put.ETag.Should().Be($"\"{md5}\"");
        put.ChecksumCRC32.Should().Be(Crc32Base64(content));
        body.ToArray().Should().Equal(content);
        got.ETag.Should().Be($"\"{md5}\"");
        got.Headers.ContentType.Should().Be("application/x-report");
        got.Headers.ContentLength.Should().Be(content.Length);
        got.Metadata["color"].Should().Be("blue");
        got.Metadata["owner-name"].Should().Be("Alice");
        got.ChecksumCRC32.Should().Be(Crc32Base64(content));
        var now = silo.Time.GetUtcNow().UtcDateTime;
        got.LastModified.Should().Be(now.AddTicks(-(now.Ticks % TimeSpan.TicksPerSecond)), "Last-Modified carries whole seconds");
    }

    [Fact]
    public async Task PutObject_WithoutContentType_StoresBinaryOctetStream()
    {
        using var http = new HttpClient();
        using var s3 = silo.Alices3();
        var bucket = await CreateBucketAsync(s3);
        var uri = new Uri(silo.BaseUri, $"{bucket}/plain");

        var response = await http.SendAsync(new S3RawRequest { Uri = uri, Body = [1, 2, 3] }.Build());
        var head = await s3.GetObjectMetadataAsync(bucket, "plain");

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        head.Headers.ContentType.Should().Be("binary/octet-stream");
    }

    [Fact]
    public async Task PutObject_EmptyBody_StoresAnEmptyObject()
    {
        using var s3 = silo.Alices3();
        var bucket = await CreateBucketAsync(s3);

        await PutAsync(s3, bucket, "empty", []);
        var read = await ReadAllAsync(s3, bucket, "empty");

        read.Should().BeEmpty();
        (await s3.GetObjectMetadataAsync(bucket, "empty")).ETag.Should().Be("\"d41d8cd98f00b204e9800998ecf8427e\"");
    }

    [Theory]
    [InlineData("with space/and+plus.txt")]
    [InlineData("unicodé/日本語/ключ")]
    [InlineData("percent%2Fliteral%20kept")]
    [InlineData("double//slash/")]
    [InlineData("a&b=c?d#e")]
    public async Task PutObject_KeyWithSpecialCharacters_RoundTripsAndLists(string key)
    {
        using var s3 = silo.Alices3();
        var bucket = await CreateBucketAsync(s3);
        var content = Encoding.UTF8.GetBytes(key);

        await PutAsync(s3, bucket, key, content);
        var read = await ReadAllAsync(s3, bucket, key);
        var listed = await s3.ListObjectsV2Async(new ListObjectsV2Request { BucketName = bucket });

        read.Should().Equal(content);
        listed.S3Objects.Select(o => o.Key).Should().Equal(key);
    }

    [Theory]
    [InlineData("PUT", "%FF")]
    [InlineData("PUT", "a%C3%28b")]
    [InlineData("GET", "%ED%A0%80")]
    [InlineData("DELETE", "dir/%FE")]
    public async Task AnyOperation_KeyNotUtf8_FailsWithInvalidUri_AndStoresNothing(string method, string rawKey)
    {
        using var http = new HttpClient();
        using var s3 = silo.Alices3();
        var bucket = await CreateBucketAsync(s3);

        var response = await http.SendAsync(new S3RawRequest { Method = new HttpMethod(method), Uri = new Uri(silo.BaseUri, $"{bucket}/{rawKey}"), Body = method == "PUT" ? [1] : [] }.Build());

        response.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        (await ErrorOfAsync(response)).Code.Should().Be("InvalidURI");
        (await s3.ListObjectsV2Async(new ListObjectsV2Request { BucketName = bucket })).S3Objects.Should().BeNullOrEmpty();
    }

    [Fact]
    public async Task PutObject_KeyWithTheReplacementCharacterItself_RoundTrips()
    {
        using var s3 = silo.Alices3();
        var bucket = await CreateBucketAsync(s3);

        await PutAsync(s3, bucket, "a\uFFFDb", [7]);

        (await ReadAllAsync(s3, bucket, "a\uFFFDb")).Should().Equal(7);
    }

    [Fact]
    public async Task CopyObject_CopySourceNotUtf8_FailsWithInvalidUri()
    {
        using var http = new HttpClient();
        using var s3 = silo.Alices3();
        var bucket = await CreateBucketAsync(s3);

        var response = await http.SendAsync(new S3RawRequest { Uri = new Uri(silo.BaseUri, $"{bucket}/copy"), Headers = { ["x-amz-copy-source"] = $"/{bucket}/%FF" } }.Build());

        response.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        (await ErrorOfAsync(response)).Code.Should().Be("InvalidURI");
    }

    [Fact]
    public async Task PutObject_Overwrite_ReplacesTheBytes()
    {
        using var s3 = silo.Alices3();
        var bucket = await CreateBucketAsync(s3);
        await PutAsync(s3, bucket, "k", Bytes(1000, 1));

        await PutAsync(s3, bucket, "k", Bytes(500, 2));

        (await ReadAllAsync(s3, bucket, "k")).Should().Equal(Bytes(500, 2));
    }

    [Fact]
    public async Task PutObject_MissingBucket_FailsWithNoSuchBucket()
    {
        using var s3 = silo.Alices3();

        var error = await FailsAsync(() => PutAsync(s3, UniqueBucket("missing"), "k", [1]));

        error.ErrorCode.Should().Be("NoSuchBucket");
        error.StatusCode.Should().Be(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task PutObject_MetadataOver2KB_FailsWithMetadataTooLarge()
    {
        using var s3 = silo.Alices3();
        var bucket = await CreateBucketAsync(s3);
        var request = new PutObjectRequest { BucketName = bucket, Key = "k", InputStream = new MemoryStream([1]) };
        request.Metadata.Add("big", new string('x', 2100));

        var error = await FailsAsync(() => s3.PutObjectAsync(request));

        error.ErrorCode.Should().Be("MetadataTooLarge");
        (await ExistsAsync(s3, bucket, "k")).Should().BeFalse();
    }

    [Fact]
    public async Task PutObject_NonAsciiMetadataAndContentType_ReadBackRfc2047Encoded()
    {
        // Header values in UTF-8, as some clients send them (HttpClient refuses non-ASCII by default).
        using var http = new HttpClient(new SocketsHttpHandler { RequestHeaderEncodingSelector = (_, _) => Encoding.UTF8 });
        using var s3 = silo.Alices3();
        var bucket = await CreateBucketAsync(s3);

        var put = await http.SendAsync(new S3RawRequest
        {
            Uri = new Uri(silo.BaseUri, $"{bucket}/k"),
            Body = [1, 2, 3],
            Headers = { ["x-amz-meta-city"] = "Zürich", ["content-type"] = "text/ü" },
        }.Build());
        var get = await http.SendAsync(new S3RawRequest { Method = HttpMethod.Get, Uri = new Uri(silo.BaseUri, $"{bucket}/k") }.Build());
        var head = await http.SendAsync(new S3RawRequest { Method = HttpMethod.Head, Uri = new Uri(silo.BaseUri, $"{bucket}/k") }.Build());

        put.StatusCode.Should().Be(HttpStatusCode.OK);
        foreach (var response in new[] { get, head })
        {
            response.StatusCode.Should().Be(HttpStatusCode.OK);
            response.Headers.GetValues("x-amz-meta-city").Single().Should().Be("=?UTF-8?B?WsO8cmljaA==?=");
            response.Content.Headers.GetValues("Content-Type").Single().Should().Be("=?UTF-8?B?dGV4dC/DvA==?=");
        }

        (await get.Content.ReadAsByteArrayAsync()).Should().Equal(1, 2, 3);
    }

    [Fact]
    public async Task GetObject_MissingKey_FailsWithNoSuchKey()
    {
        using var s3 = silo.Alices3();
        var bucket = await CreateBucketAsync(s3);

        var error = await FailsAsync(() => s3.GetObjectAsync(bucket, "nope"));

        error.ErrorCode.Should().Be("NoSuchKey");
        error.StatusCode.Should().Be(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task HeadObject_AnswersMetadataWithoutABody()
    {
        using var s3 = silo.Alices3();
        var bucket = await CreateBucketAsync(s3);
        var content = Bytes(4096, 3);
        await PutAsync(s3, bucket, "k", content, "text/x-head");

        var head = await s3.GetObjectMetadataAsync(new GetObjectMetadataRequest { BucketName = bucket, Key = "k", ChecksumMode = ChecksumMode.ENABLED });

        head.ContentLength.Should().Be(4096);
        head.Headers.ContentType.Should().Be("text/x-head");
        head.ETag.Should().Be($"\"{Convert.ToHexStringLower(MD5.HashData(content))}\"");
        head.ChecksumCRC32.Should().Be(Crc32Base64(content));
        head.AcceptRanges.Should().Be("bytes");
    }

    [Fact]
    public async Task HeadObject_MissingKey_Answers404WithoutABody()
    {
        using var http = new HttpClient();
        using var s3 = silo.Alices3();
        var bucket = await CreateBucketAsync(s3);

        var response = await http.SendAsync(new S3RawRequest { Method = HttpMethod.Head, Uri = new Uri(silo.BaseUri, $"{bucket}/nope") }.Build());

        response.StatusCode.Should().Be(HttpStatusCode.NotFound);
        (await response.Content.ReadAsByteArrayAsync()).Should().BeEmpty();
        response.Headers.GetValues("x-amz-request-id").Single().Should().MatchRegex("^[0-9A-F]{16}$");
    }

    [Theory]
    [InlineData("bytes=0-99", 0, 100)]
    [InlineData("bytes=1000-", 1000, 3096)]
    [InlineData("bytes=-10", 4086, 10)]
    [InlineData("bytes=4000-9999", 4000, 96)]
    [InlineData("bytes=-9999", 0, 4096)]
    public async Task GetObject_SingleRange_Answers206WithContentRange(string range, int first, int length)
    {
        using var http = new HttpClient();
        using var s3 = silo.Alices3();
        var bucket = await CreateBucketAsync(s3);
        var content = Bytes(4096, 4);
        await PutAsync(s3, bucket, "k", content);

        var request = new S3RawRequest { Method = HttpMethod.Get, Uri = new Uri(silo.BaseUri, $"{bucket}/k"), Headers = { ["range"] = range } }.Build();
        var response = await http.SendAsync(request);

        response.StatusCode.Should().Be(HttpStatusCode.PartialContent);
        response.Content.Headers.ContentRange!.ToString().Should().Be($"bytes {first}-{first + length - 1}/4096");
        (await response.Content.ReadAsByteArrayAsync()).Should().Equal(content.AsSpan(first, length).ToArray());
    }

    [Fact]
    public async Task GetObject_RangeWithTheSdk_ReturnsTheBytesAndNoChecksum()
    {
        using var s3 = silo.Alices3();
        var bucket = await CreateBucketAsync(s3);
        var content = Bytes(10_000, 5);
        await PutAsync(s3, bucket, "k", content);

        using var got = await s3.GetObjectAsync(new GetObjectRequest { BucketName = bucket, Key = "k", ByteRange = new ByteRange(100, 199), ChecksumMode = ChecksumMode.ENABLED });
        using var body = new MemoryStream();
        await got.ResponseStream.CopyToAsync(body);

        got.HttpStatusCode.Should().Be(HttpStatusCode.PartialContent);
        body.ToArray().Should().Equal(content.AsSpan(100, 100).ToArray());
        got.ChecksumCRC32.Should().BeNull();
        got.ContentRange.Should().Be("bytes 100-199/10000");
    }

    [Theory]
    [InlineData("bytes=4096-")]
    [InlineData("bytes=5000-6000")]
    [InlineData("bytes=-0")]
    public async Task GetObject_UnsatisfiableRange_FailsWithInvalidRange416(string range)
    {
        using var http = new HttpClient();
        using var s3 = silo.Alices3();
        var bucket = await CreateBucketAsync(s3);
        await PutAsync(s3, bucket, "k", Bytes(4096, 6));

        var response = await http.SendAsync(new S3RawRequest { Method = HttpMethod.Get, Uri = new Uri(silo.BaseUri, $"{bucket}/k"), Headers = { ["range"] = range } }.Build());

        response.StatusCode.Should().Be(HttpStatusCode.RequestedRangeNotSatisfiable);
        (await ErrorOfAsync(response)).Code.Should().Be("InvalidRange");
        response.Content.Headers.ContentRange!.ToString().Should().Be("bytes */4096");
    }

    [Theory]
    [InlineData("bytes=0-1,5-6")]
    [InlineData("bytes=x-y")]
    [InlineData("pages=1-2")]
    public async Task GetObject_RangeS3DoesNotServe_AnswersTheWholeObject(string range)
    {
        using var http = new HttpClient();
        using var s3 = silo.Alices3();
        var bucket = await CreateBucketAsync(s3);
        var content = Bytes(300, 7);
        await PutAsync(s3, bucket, "k", content);

        var response = await http.SendAsync(new S3RawRequest { Method = HttpMethod.Get, Uri = new Uri(silo.BaseUri, $"{bucket}/k"), Headers = { ["range"] = range } }.Build());

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        (await response.Content.ReadAsByteArrayAsync()).Should().Equal(content);
    }

    [Fact]
    public async Task GetObject_Conditions_Answer304Or412AsHttpOrdersThem()
    {
        using var s3 = silo.Alices3();
        var bucket = await CreateBucketAsync(s3);
        await PutAsync(s3, bucket, "k", Bytes(100, 8));
        var etag = (await s3.GetObjectMetadataAsync(bucket, "k")).ETag;
        var modified = silo.Time.GetUtcNow().UtcDateTime;

        var ifMatchOther = await FailsAsync(() => s3.GetObjectAsync(new GetObjectRequest { BucketName = bucket, Key = "k", EtagToMatch = "\"0123\"" }));
        var ifNoneMatchSame = await FailsAsync(() => s3.GetObjectAsync(new GetObjectRequest { BucketName = bucket, Key = "k", EtagToNotMatch = etag }));
        var notModifiedSince = await FailsAsync(() => s3.GetObjectAsync(new GetObjectRequest { BucketName = bucket, Key = "k", ModifiedSinceDate = modified.AddMinutes(1) }));
        var modifiedAfter = await FailsAsync(() => s3.GetObjectAsync(new GetObjectRequest { BucketName = bucket, Key = "k", UnmodifiedSinceDate = modified.AddMinutes(-1) }));
        using var ifMatchSame = await s3.GetObjectAsync(new GetObjectRequest { BucketName = bucket, Key = "k", EtagToMatch = etag, UnmodifiedSinceDate = modified.AddMinutes(-1) });
        using var modifiedSince = await s3.GetObjectAsync(new GetObjectRequest { BucketName = bucket, Key = "k", ModifiedSinceDate = modified.AddMinutes(-1) });

        ifMatchOther.StatusCode.Should().Be(HttpStatusCode.PreconditionFailed);
        ifMatchOther.ErrorCode.Should().Be("PreconditionFailed");
        ifNoneMatchSame.StatusCode.Should().Be(HttpStatusCode.NotModified);
        notModifiedSince.StatusCode.Should().Be(HttpStatusCode.NotModified);
        modifiedAfter.StatusCode.Should().Be(HttpStatusCode.PreconditionFailed);
        ifMatchSame.HttpStatusCode.Should().Be(HttpStatusCode.OK);
        modifiedSince.HttpStatusCode.Should().Be(HttpStatusCode.OK);
    }

    [Fact]
    public async Task GetObject_ResponseHeaderOverrides_AreAnswered()
    {
        using var s3 = silo.Alices3();
        var bucket = await CreateBucketAsync(s3);
        await PutAsync(s3, bucket, "k", [1, 2, 3], "application/octet-stream");

        using var got = await s3.GetObjectAsync(new GetObjectRequest
        {
            BucketName = bucket,
            Key = "k",
            ResponseHeaderOverrides = new ResponseHeaderOverrides { ContentType = "text/plain", ContentDisposition = "attachment; filename=\"k.txt\"" },
        });

        got.Headers.ContentType.Should().Be("text/plain");
        got.Headers.ContentDisposition.Should().Be("attachment; filename=\"k.txt\"");
    }

    [Theory]
    [InlineData("response-content-type=%01")]
    [InlineData("response-content-disposition=%0A")]
    [InlineData("response-cache-control=a%0D%0AInjected%3A%201")]
    public async Task GetObject_ResponseOverrideWithAControlCharacter_FailsWithInvalidArgument(string query)
    {
        using var http = new HttpClient();
        using var s3 = silo.Alices3();
        var bucket = await CreateBucketAsync(s3);
        await PutAsync(s3, bucket, "k", [1, 2, 3]);

        var response = await http.SendAsync(new S3RawRequest { Method = HttpMethod.Get, Uri = new Uri(silo.BaseUri, $"{bucket}/k?{query}") }.Build());

        response.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        (await ErrorOfAsync(response)).Code.Should().Be("InvalidArgument");
        response.Headers.Contains("Injected").Should().BeFalse();
    }

    [Fact]
    public async Task GetObject_NonAsciiResponseOverride_IsAnsweredRfc2047Encoded()
    {
        using var http = new HttpClient();
        using var s3 = silo.Alices3();
        var bucket = await CreateBucketAsync(s3);
        await PutAsync(s3, bucket, "k", [1, 2, 3]);

        var response = await http.SendAsync(new S3RawRequest
        {
            Method = HttpMethod.Get,
            Uri = new Uri(silo.BaseUri, $"{bucket}/k?response-content-disposition={SigV4.UriEncode("attachment; filename=\"ü.txt\"", keepSlash: false)}"),
        }.Build());

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        response.Content.Headers.GetValues("Content-Disposition").Single().Should().Be("=?UTF-8?B?YXR0YWNobWVudDsgZmlsZW5hbWU9IsO8LnR4dCI=?=");
        (await response.Content.ReadAsByteArrayAsync()).Should().Equal(1, 2, 3);
    }

    [Fact]
    public async Task GetObject_PartNumberOne_AnswersTheWholeObject_AndAnyOtherPartIsNotSatisfiable()
    {
        using var s3 = silo.Alices3();
        var bucket = await CreateBucketAsync(s3);
        var content = Bytes(1000, 9);
        await PutAsync(s3, bucket, "k", content);

        using var first = await s3.GetObjectAsync(new GetObjectRequest { BucketName = bucket, Key = "k", PartNumber = 1 });
        using var body = new MemoryStream();
        await first.ResponseStream.CopyToAsync(body);
        var second = await FailsAsync(() => s3.GetObjectAsync(new GetObjectRequest { BucketName = bucket, Key = "k", PartNumber = 2 }));

        body.ToArray().Should().Equal(content);
        second.ErrorCode.Should().Be("InvalidPartNumber");
    }

    [Fact]
    public async Task GetObject_VersionOtherThanNull_FailsWithInvalidArgument()
    {
        using var s3 = silo.Alices3();
        var bucket = await CreateBucketAsync(s3);
        await PutAsync(s3, bucket, "k", [1]);

        var error = await FailsAsync(() => s3.GetObjectAsync(new GetObjectRequest { BucketName = bucket, Key = "k", VersionId = "3HL4kqtJlcpXroDTDmJ+rmSpXd3dIbrHY" }));
        using var nullVersion = await s3.GetObjectAsync(new GetObjectRequest { BucketName = bucket, Key = "k", VersionId = "null" });

        error.ErrorCode.Should().Be("InvalidArgument");
        nullVersion.HttpStatusCode.Should().Be(HttpStatusCode.OK);
    }

    [Fact]
    public async Task DeleteObject_ExistingAndMissing_BothAnswer204()
    {
        using var s3 = silo.Alices3();
        var bucket = await CreateBucketAsync(s3);
        await PutAsync(s3, bucket, "k", [1]);

        var deleted = await s3.DeleteObjectAsync(bucket, "k");
        var missing = await s3.DeleteObjectAsync(bucket, "k");

        deleted.HttpStatusCode.Should().Be(HttpStatusCode.NoContent);
        missing.HttpStatusCode.Should().Be(HttpStatusCode.NoContent);
        (await ExistsAsync(s3, bucket, "k")).Should().BeFalse();
    }

    [Fact]
    public async Task DeleteObjects_Verbose_ListsEveryDeletedKey()
    {
        using var s3 = silo.Alices3();
        var bucket = await CreateBucketAsync(s3);
        await PutAsync(s3, bucket, "a", [1]);
        await PutAsync(s3, bucket, "b", [2]);
        await PutAsync(s3, bucket, "keep", [3]);

        var result = await s3.DeleteObjectsAsync(new DeleteObjectsRequest { BucketName = bucket, Objects = [new KeyVersion { Key = "a" }, new KeyVersion { Key = "b" }, new KeyVersion { Key = "never-was" }] });
        var left = await s3.ListObjectsV2Async(new ListObjectsV2Request { BucketName = bucket });

        result.DeletedObjects.Select(d => d.Key).Should().Equal("a", "b", "never-was");
        result.DeleteErrors.Should().BeNullOrEmpty();
        left.S3Objects.Select(o => o.Key).Should().Equal("keep");
    }

    [Fact]
    public async Task DeleteObjects_Quiet_ListsOnlyErrors()
    {
        using var s3 = silo.Alices3();
        var bucket = await CreateBucketAsync(s3);
        await PutAsync(s3, bucket, "a", [1]);

        var thrown = await s3.Invoking(c => c.DeleteObjectsAsync(new DeleteObjectsRequest
        {
            BucketName = bucket,
            Quiet = true,
            Objects = [new KeyVersion { Key = "a" }, new KeyVersion { Key = "v", VersionId = "not-a-version" }],
        })).Should().ThrowAsync<DeleteObjectsException>();
        var result = thrown.Which.Response;

        result.DeletedObjects.Should().BeNullOrEmpty();
        result.DeleteErrors.Should().ContainSingle().Which.Should().BeEquivalentTo(new { Key = "v", Code = "InvalidArgument" });
        (await ExistsAsync(s3, bucket, "a")).Should().BeFalse();
    }

    [Fact]
    public async Task DeleteObjects_WithoutContentMd5OrChecksum_FailsWithInvalidRequest()
    {
        using var http = new HttpClient();
        using var s3 = silo.Alices3();
        var bucket = await CreateBucketAsync(s3);
        await PutAsync(s3, bucket, "a", [1]);
        var xml = Encoding.UTF8.GetBytes("<Delete><Object><Key>a</Key></Object></Delete>");

        var response = await http.SendAsync(new S3RawRequest { Method = HttpMethod.Post, Uri = new Uri(silo.BaseUri, $"{bucket}?delete"), Body = xml }.Build());
        var withMd5 = await http.SendAsync(new S3RawRequest
        {
            Method = HttpMethod.Post,
            Uri = new Uri(silo.BaseUri, $"{bucket}?delete"),
            Body = xml,
            Headers = { ["content-md5"] = S3RawRequest.Md5Base64(xml) },
        }.Build());

        response.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        (await ErrorOfAsync(response)).Code.Should().Be("InvalidRequest");
        withMd5.StatusCode.Should().Be(HttpStatusCode.OK);
        (await ExistsAsync(s3, bucket, "a")).Should().BeFalse();
    }

    [Fact]
    public async Task DeleteObjects_MalformedXml_FailsWithMalformedXml()
    {
        using var http = new HttpClient();
        using var s3 = silo.Alices3();
        var bucket = await CreateBucketAsync(s3);
        var xml = Encoding.UTF8.GetBytes("<Delete><Object><Key>a</Key></Object>");

        var response = await http.SendAsync(new S3RawRequest
        {
            Method = HttpMethod.Post,
            Uri = new Uri(silo.BaseUri, $"{bucket}?delete"),
            Body = xml,
            Headers = { ["content-md5"] = S3RawRequest.Md5Base64(xml) },
        }.Build());

        response.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        (await ErrorOfAsync(response)).Code.Should().Be("MalformedXML");
    }

    [Fact]
    public async Task CopyObject_DefaultDirective_CopiesMetadataAndSharesTheBlob()
    {
        using var s3 = silo.Alices3();
        var source = await CreateBucketAsync(s3);
        var target = await CreateBucketAsync(s3);
        var content = Bytes(70_000, 10);
        var request = new PutObjectRequest { BucketName = source, Key = "src key", InputStream = new MemoryStream(content), ContentType = "text/x-src" };
        request.Metadata.Add("origin", "source");
        await s3.PutObjectAsync(request);

        var copy = await s3.CopyObjectAsync(source, "src key", target, "dst/key");
        var head = await s3.GetObjectMetadataAsync(target, "dst/key");
        var sourceInfo = await silo.Grains.GetGrain<IBucketGrain>(source).GetObjectAsync(ApiSiloFixture.Alice, "src key");
        var copyInfo = await silo.Grains.GetGrain<IBucketGrain>(target).GetObjectAsync(ApiSiloFixture.Alice, "dst/key");

        copy.ETag.Should().Be($"\"{Convert.ToHexStringLower(MD5.HashData(content))}\"");
        (await ReadAllAsync(s3, target, "dst/key")).Should().Equal(content);
        head.Headers.ContentType.Should().Be("text/x-src");
        head.Metadata["origin"].Should().Be("source");
        copyInfo.Blob.Should().Be(sourceInfo.Blob);
    }

    [Fact]
    public async Task CopyObject_ReplaceDirective_TakesTheRequestsMetadata()
    {
        using var s3 = silo.Alices3();
        var bucket = await CreateBucketAsync(s3);
        var request = new PutObjectRequest { BucketName = bucket, Key = "k", InputStream = new MemoryStream([1, 2]) };
        request.Metadata.Add("old", "1");
        await s3.PutObjectAsync(request);
        var copy = new CopyObjectRequest
        {
            SourceBucket = bucket,
            SourceKey = "k",
            DestinationBucket = bucket,
            DestinationKey = "k",
            MetadataDirective = S3MetadataDirective.REPLACE,
            ContentType = "text/x-new",
        };
        copy.Metadata.Add("new", "2");

        await s3.CopyObjectAsync(copy);
        var head = await s3.GetObjectMetadataAsync(bucket, "k");

        head.Metadata.Keys.Should().Equal("x-amz-meta-new");
        head.Metadata["new"].Should().Be("2");
        head.Headers.ContentType.Should().Be("text/x-new");
    }

    [Fact]
    public async Task CopyObject_OntoItselfWithoutChanges_FailsWithInvalidRequest()
    {
        using var s3 = silo.Alices3();
        var bucket = await CreateBucketAsync(s3);
        await PutAsync(s3, bucket, "k", [1]);

        var error = await FailsAsync(() => s3.CopyObjectAsync(bucket, "k", bucket, "k"));

        error.ErrorCode.Should().Be("InvalidRequest");
    }

    [Fact]
    public async Task CopyObject_SourceVersion_IsRefused()
    {
        using var s3 = silo.Alices3();
        var bucket = await CreateBucketAsync(s3);
        await PutAsync(s3, bucket, "k", [1]);

        var error = await FailsAsync(() => s3.CopyObjectAsync(new CopyObjectRequest
        {
            SourceBucket = bucket,
            SourceKey = "k",
            SourceVersionId = "3sL4kqtJlcpXroDTDmJ+rmSpXd3dIbrHY",
            DestinationBucket = bucket,
            DestinationKey = "copy",
        }));

        error.ErrorCode.Should().Be("InvalidArgument");
        (await ExistsAsync(s3, bucket, "copy")).Should().BeFalse();
    }

    [Fact]
    public async Task CopyObject_MissingSource_FailsWithNoSuchKey()
    {
        using var s3 = silo.Alices3();
        var bucket = await CreateBucketAsync(s3);

        var error = await FailsAsync(() => s3.CopyObjectAsync(bucket, "nope", bucket, "copy"));

        error.ErrorCode.Should().Be("NoSuchKey");
    }

    [Fact]
    public async Task CopyObject_SourceConditionFails_FailsWithPreconditionFailed()
    {
        using var s3 = silo.Alices3();
        var bucket = await CreateBucketAsync(s3);
        await PutAsync(s3, bucket, "k", [1]);

        var error = await FailsAsync(() => s3.CopyObjectAsync(new CopyObjectRequest
        {
            SourceBucket = bucket,
            SourceKey = "k",
            DestinationBucket = bucket,
            DestinationKey = "copy",
            ETagToMatch = "\"not-it\"",
        }));

        error.StatusCode.Should().Be(HttpStatusCode.PreconditionFailed);
        (await ExistsAsync(s3, bucket, "copy")).Should().BeFalse();
    }

    [Fact]
    public async Task CopyObject_NewChecksumAlgorithm_IsComputedOverTheBytes()
    {
        using var s3 = silo.Alices3();
        var bucket = await CreateBucketAsync(s3);
        var content = Bytes(5000, 11);
        await PutAsync(s3, bucket, "k", content);

        await s3.CopyObjectAsync(new CopyObjectRequest
        {
            SourceBucket = bucket,
            SourceKey = "k",
            DestinationBucket = bucket,
            DestinationKey = "copy",
            ChecksumAlgorithm = ChecksumAlgorithm.SHA256,
        });
        var head = await s3.GetObjectMetadataAsync(new GetObjectMetadataRequest { BucketName = bucket, Key = "copy", ChecksumMode = ChecksumMode.ENABLED });

        head.ChecksumSHA256.Should().Be(Convert.ToBase64String(SHA256.HashData(content)));
    }
}
