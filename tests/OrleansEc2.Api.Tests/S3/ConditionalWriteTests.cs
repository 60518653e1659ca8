using System.Net;
using System.Xml.Linq;
using Amazon.S3;
using Amazon.S3.Model;
using OrleansEc2.Api.Tests.Infrastructure;
using static OrleansEc2.Api.Tests.S3.S3TestKit;

namespace OrleansEc2.Api.Tests.S3;

using PutObjectRequest = Amazon.S3.Model.PutObjectRequest;

/// <summary>
/// If-None-Match: * and If-Match on PutObject, CopyObject (the destination) and CompleteMultipartUpload, through the
/// AWS SDK: 412 PreconditionFailed, 404 NoSuchKey, 409 ConditionalRequestConflict and 501 NotImplemented as S3 answers
/// them, and a refused write changes nothing.
/// </summary>
[Collection(ApiSiloCollection.Name)]
public sealed class ConditionalWriteTests(ApiSiloFixture silo)
{
    private const string OtherETag = "\"0123456789abcdef0123456789abcdef\"";

    private static readonly byte[] PartBytes = Bytes(1000, seed: 72);

    [Fact]
    public async Task PutObject_IfNoneMatchStar_CreatesTheKey_ThenRefusesToOverwriteIt()
    {
        using var s3 = silo.Alices3();
        var bucket = await CreateBucketAsync(s3);

        var created = await s3.PutObjectAsync(Put(bucket, "k", [1, 2, 3], r => r.IfNoneMatch = "*"));
        var refused = await FailsAsync(() => s3.PutObjectAsync(Put(bucket, "k", [4, 5, 6], r => r.IfNoneMatch = "*")));

        created.HttpStatusCode.Should().Be(HttpStatusCode.OK);
        refused.StatusCode.Should().Be(HttpStatusCode.PreconditionFailed);
        refused.ErrorCode.Should().Be("PreconditionFailed");
        refused.Message.Should().Be("At least one of the pre-conditions you specified did not hold");
        (await ReadAllAsync(s3, bucket, "k")).Should().Equal(1, 2, 3);
        (await s3.GetObjectMetadataAsync(bucket, "k")).ETag.Should().Be(created.ETag);
    }

    [Theory]
    [InlineData("quoted")]
    [InlineData("bare")]
    [InlineData("*")]
    public async Task PutObject_IfMatchTheCurrentObject_Overwrites(string form)
    {
        using var s3 = silo.Alices3();
        var bucket = await CreateBucketAsync(s3);
        var first = await s3.PutObjectAsync(Put(bucket, "k", [1], _ => { }));
        var ifMatch = form switch
        {
            "quoted" => first.ETag,
            "bare" => first.ETag.Trim('"'),
            _ => "*",
        };

        var second = await s3.PutObjectAsync(Put(bucket, "k", [2], r => r.IfMatch = ifMatch));

        (await ReadAllAsync(s3, bucket, "k")).Should().Equal(2);
        (await s3.GetObjectMetadataAsync(bucket, "k")).ETag.Should().Be(second.ETag).And.NotBe(first.ETag);
    }

    [Fact]
    public async Task PutObject_IfMatchAnotherETag_FailsWith412_AndKeepsTheObject()
    {
        using var s3 = silo.Alices3();
        var bucket = await CreateBucketAsync(s3);
        await PutAsync(s3, bucket, "k", [1]);

        var refused = await FailsAsync(() => s3.PutObjectAsync(Put(bucket, "k", [2], r => r.IfMatch = OtherETag)));

        refused.StatusCode.Should().Be(HttpStatusCode.PreconditionFailed);
        refused.ErrorCode.Should().Be("PreconditionFailed");
        (await ReadAllAsync(s3, bucket, "k")).Should().Equal(1);
    }

    [Theory]
    [InlineData("*")]
    [InlineData(OtherETag)]
    public async Task PutObject_IfMatchAKeyThatDoesNotExist_FailsWith404NoSuchKey_AndStoresNothing(string ifMatch)
    {
        using var s3 = silo.Alices3();
        var bucket = await CreateBucketAsync(s3);

        var refused = await FailsAsync(() => s3.PutObjectAsync(Put(bucket, "absent", [1], r => r.IfMatch = ifMatch)));

        refused.StatusCode.Should().Be(HttpStatusCode.NotFound);
        refused.ErrorCode.Should().Be("NoSuchKey");
        (await ExistsAsync(s3, bucket, "absent")).Should().BeFalse();
    }

    [Theory]
    [InlineData("if-none-match", "*", "If-None-Match")]
    [InlineData("if-match", OtherETag, "If-Match")]
    public async Task PutObject_ConditionThatFails_AnswersAnErrorDocumentNamingIt(string header, string value, string condition)
    {
        using var s3 = silo.Alices3();
        var bucket = await CreateBucketAsync(s3);
        await PutAsync(s3, bucket, "k", [1]);

        using var response = await silo.Http.SendAsync(new S3RawRequest { Uri = new Uri(silo.BaseUri, $"{bucket}/k"), Body = [2], Headers = { [header] = value } }.Build());
        var document = XDocument.Parse(await response.Content.ReadAsStringAsync()).Root!;

        response.StatusCode.Should().Be(HttpStatusCode.PreconditionFailed);
        document.Element("Code")!.Value.Should().Be("PreconditionFailed");
        document.Element("Condition")!.Value.Should().Be(condition);
        (await ReadAllAsync(s3, bucket, "k")).Should().Equal(1);
    }

    [Theory]
    [InlineData(OtherETag, null)]
    [InlineData("W/\"abc\"", null)]
    [InlineData("*", "*")]
    public async Task PutObject_IfNoneMatchAnETag_OrWithIfMatch_IsNotImplemented_NamingTheHeader(string ifNoneMatch, string? ifMatch)
    {
        using var s3 = silo.Alices3();
        var bucket = await CreateBucketAsync(s3);
        var headers = new Dictionary<string, string> { ["if-none-match"] = ifNoneMatch };
        if (ifMatch is not null)
        {
            headers["if-match"] = ifMatch;
        }

        using var response = await silo.Http.SendAsync(new S3RawRequest { Uri = new Uri(silo.BaseUri, $"{bucket}/k"), Body = [1], Headers = headers }.Build());
        var document = XDocument.Parse(await response.Content.ReadAsStringAsync()).Root!;

        response.StatusCode.Should().Be(HttpStatusCode.NotImplemented);
        document.Element("Code")!.Value.Should().Be("NotImplemented");
        document.Element("Message")!.Value.Should().Be("A header you provided implies functionality that is not implemented");
        document.Element("Header")!.Value.Should().Be("If-None-Match");
        (await ExistsAsync(s3, bucket, "k")).Should().BeFalse();
    }

    [Fact]
    public async Task PutObject_IfNoneMatch_AnotherWriteLandingWhileItsBodyStreams_FailsWith409ConditionalRequestConflict()
    {
        using var s3 = silo.Alices3();
        var bucket = await CreateBucketAsync(s3);
        var body = Bytes(4096, seed: 71);
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var message = new S3RawRequest { Uri = new Uri(silo.BaseUri, $"{bucket}/k"), Body = body, Headers = { ["if-none-match"] = "*" } }.Build();

        // With Expect: 100-continue the client sends the body only once the server reads it, which it does after it
        // checked the condition: the body's first read is the moment between the check and the write.
        var gated = new StreamContent(new GatedStream(new MemoryStream(body), started, release.Task));
        gated.Headers.ContentLength = body.Length;
        message.Content = gated;
        message.Headers.ExpectContinue = true;
        using var http = new HttpClient(new SocketsHttpHandler { Expect100ContinueTimeout = TimeSpan.FromMinutes(2) });

        var sending = http.SendAsync(message);
        await started.Task.WaitAsync(TimeSpan.FromSeconds(60));
        await PutAsync(s3, bucket, "k", [1, 2, 3]);
        release.SetResult();
        using var response = await sending;
        var error = await ErrorOfAsync(response);

        response.StatusCode.Should().Be(HttpStatusCode.Conflict);
        error.Code.Should().Be("ConditionalRequestConflict");
        (await ReadAllAsync(s3, bucket, "k")).Should().Equal(1, 2, 3);
    }

    [Fact]
    public async Task CompleteMultipartUpload_IfNoneMatchOnAKeyThatExists_FailsWith412_AndTheUploadCanStillComplete()
    {
        using var s3 = silo.Alices3();
        var bucket = await CreateBucketAsync(s3);
        await PutAsync(s3, bucket, "k", [1]);
        var (uploadId, parts) = await UploadAsync(s3, bucket, "k");

        var refused = await FailsAsync(() => s3.CompleteMultipartUploadAsync(Complete(bucket, "k", uploadId, parts, r => r.IfNoneMatch = "*")));
        var stillThere = await s3.ListPartsAsync(new ListPartsRequest { BucketName = bucket, Key = "k", UploadId = uploadId });
        var completed = await s3.CompleteMultipartUploadAsync(Complete(bucket, "k", uploadId, parts, _ => { }));

        refused.StatusCode.Should().Be(HttpStatusCode.PreconditionFailed);
        refused.ErrorCode.Should().Be("PreconditionFailed");
        stillThere.Parts.Select(p => p.PartNumber).Should().Equal(1);
        (await s3.GetObjectMetadataAsync(bucket, "k")).ETag.Should().Be(completed.ETag);
    }

    [Fact]
    public async Task CompleteMultipartUpload_IfNoneMatchOnAFreeKey_Completes()
    {
        using var s3 = silo.Alices3();
        var bucket = await CreateBucketAsync(s3);
        var (uploadId, parts) = await UploadAsync(s3, bucket, "k");

        var completed = await s3.CompleteMultipartUploadAsync(Complete(bucket, "k", uploadId, parts, r => r.IfNoneMatch = "*"));

        (await ReadAllAsync(s3, bucket, "k")).Should().Equal(PartBytes);
        completed.ETag.Should().EndWith("-1\"");
    }

    [Fact]
    public async Task CompleteMultipartUpload_IfMatch_ReplacesTheCurrentObject_RefusesAnotherWith412_AndAMissingKeyWith404()
    {
        using var s3 = silo.Alices3();
        var bucket = await CreateBucketAsync(s3);
        var current = await s3.PutObjectAsync(Put(bucket, "k", [1], _ => { }));
        var (uploadId, parts) = await UploadAsync(s3, bucket, "k");
        var (missingUploadId, missingParts) = await UploadAsync(s3, bucket, "absent");

        var mismatch = await FailsAsync(() => s3.CompleteMultipartUploadAsync(Complete(bucket, "k", uploadId, parts, r => r.IfMatch = OtherETag)));
        var missing = await FailsAsync(() => s3.CompleteMultipartUploadAsync(Complete(bucket, "absent", missingUploadId, missingParts, r => r.IfMatch = "*")));
        var completed = await s3.CompleteMultipartUploadAsync(Complete(bucket, "k", uploadId, parts, r => r.IfMatch = current.ETag));

        mismatch.StatusCode.Should().Be(HttpStatusCode.PreconditionFailed);
        mismatch.ErrorCode.Should().Be("PreconditionFailed");
        missing.StatusCode.Should().Be(HttpStatusCode.NotFound);
        missing.ErrorCode.Should().Be("NoSuchKey");
        (await ExistsAsync(s3, bucket, "absent")).Should().BeFalse();
        (await s3.GetObjectMetadataAsync(bucket, "k")).ETag.Should().Be(completed.ETag);
    }

    [Fact]
    public async Task CopyObject_IfNoneMatch_CopiesToAFreeKey_AndRefusesAnExistingDestinationWith412()
    {
        using var s3 = silo.Alices3();
        var bucket = await CreateBucketAsync(s3);
        await PutAsync(s3, bucket, "source", [1, 2]);
        await PutAsync(s3, bucket, "taken", [9]);

        await s3.CopyObjectAsync(Copy(bucket, "free", r => r.IfNoneMatch = "*"));
        var refused = await FailsAsync(() => s3.CopyObjectAsync(Copy(bucket, "taken", r => r.IfNoneMatch = "*")));

        (await ReadAllAsync(s3, bucket, "free")).Should().Equal(1, 2);
        refused.StatusCode.Should().Be(HttpStatusCode.PreconditionFailed);
        refused.ErrorCode.Should().Be("PreconditionFailed");
        (await ReadAllAsync(s3, bucket, "taken")).Should().Equal(9);
    }

    [Fact]
    public async Task CopyObject_IfMatch_WeighsTheDestination_NotTheSource()
    {
        using var s3 = silo.Alices3();
        var bucket = await CreateBucketAsync(s3);
        var source = await s3.PutObjectAsync(Put(bucket, "source", [1, 2], _ => { }));
        var destination = await s3.PutObjectAsync(Put(bucket, "destination", [9], _ => { }));

        var sourceETag = await FailsAsync(() => s3.CopyObjectAsync(Copy(bucket, "destination", r => r.IfMatch = source.ETag)));
        var missing = await FailsAsync(() => s3.CopyObjectAsync(Copy(bucket, "absent", r => r.IfMatch = "*")));
        var sourceConditionFails = await FailsAsync(() => s3.CopyObjectAsync(Copy(bucket, "destination", r =>
        {
            r.IfMatch = destination.ETag;
            r.ETagToMatch = OtherETag;
        })));
        await s3.CopyObjectAsync(Copy(bucket, "destination", r => r.IfMatch = destination.ETag));

        sourceETag.StatusCode.Should().Be(HttpStatusCode.PreconditionFailed);
        missing.StatusCode.Should().Be(HttpStatusCode.NotFound);
        missing.ErrorCode.Should().Be("NoSuchKey");
        sourceConditionFails.StatusCode.Should().Be(HttpStatusCode.PreconditionFailed);
        (await ExistsAsync(s3, bucket, "absent")).Should().BeFalse();
        (await ReadAllAsync(s3, bucket, "destination")).Should().Equal(1, 2);
    }

    [Theory]
    [InlineData("if-none-match", "*", "taken")]
    [InlineData("if-match", "*", "absent")]
    public async Task AnotherAccount_ConditionalPutInTheBucket_IsAccessDenied_WhateverTheKey(string header, string value, string key)
    {
        using var alice = silo.Alices3();
        var bucket = await CreateBucketAsync(alice);
        await PutAsync(alice, bucket, "taken", [1]);

        using var response = await silo.Http.SendAsync(new S3RawRequest
        {
            Uri = new Uri(silo.BaseUri, $"{bucket}/{key}"),
            Body = [2],
            Headers = { [header] = value },
            AccessKeyId = ApiSiloFixture.BobKey,
            Secret = ApiSiloFixture.BobSecret,
        }.Build());

        response.StatusCode.Should().Be(HttpStatusCode.Forbidden);
        (await ErrorOfAsync(response)).Code.Should().Be("AccessDenied");
        (await ReadAllAsync(alice, bucket, "taken")).Should().Equal(1);
        (await ExistsAsync(alice, bucket, "absent")).Should().BeFalse();
    }

    private static PutObjectRequest Put(string bucket, string key, byte[] content, Action<PutObjectRequest> condition)
    {
        var request = new PutObjectRequest { BucketName = bucket, Key = key, InputStream = new MemoryStream(content) };
        condition(request);
        return request;
    }

    private static CopyObjectRequest Copy(string bucket, string destinationKey, Action<CopyObjectRequest> condition)
    {
        var request = new CopyObjectRequest { SourceBucket = bucket, SourceKey = "source", DestinationBucket = bucket, DestinationKey = destinationKey };
        condition(request);
        return request;
    }

    private static CompleteMultipartUploadRequest Complete(string bucket, string key, string uploadId, List<PartETag> parts, Action<CompleteMultipartUploadRequest> condition)
    {
        var request = new CompleteMultipartUploadRequest { BucketName = bucket, Key = key, UploadId = uploadId, PartETags = parts };
        condition(request);
        return request;
    }

    private static async Task<(string UploadId, List<PartETag> Parts)> UploadAsync(IAmazonS3 s3, string bucket, string key)
    {
        var upload = await s3.InitiateMultipartUploadAsync(bucket, key);
        var part = await s3.UploadPartAsync(new UploadPartRequest { BucketName = bucket, Key = key, UploadId = upload.UploadId, PartNumber = 1, InputStream = new MemoryStream(PartBytes) });
        return (upload.UploadId, [new PartETag(1, part.ETag)]);
    }

    /// <summary>A body that tells when it is first read and gives nothing until it is released.</summary>
    private sealed class GatedStream(Stream inner, TaskCompletionSource started, Task release) : Stream
    {
        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position
        {
            get => throw new NotSupportedException();
            set => throw new NotSupportedException();
        }

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            started.TrySetResult();
            await release.WaitAsync(cancellationToken);
            return await inner.ReadAsync(buffer, cancellationToken);
        }

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer, offset, count, CancellationToken.None).GetAwaiter().GetResult();

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
