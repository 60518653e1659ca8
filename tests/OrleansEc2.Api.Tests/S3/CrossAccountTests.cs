using System.Net;
using Amazon.S3;
using Amazon.S3.Model;
using OrleansEc2.Api.Tests.Infrastructure;
using static OrleansEc2.Api.Tests.S3.S3TestKit;

namespace OrleansEc2.Api.Tests.S3;

/// <summary>Bob cannot read, write, list or delete anything of Alice's: every operation answers AccessDenied and changes nothing.</summary>
[Collection(ApiSiloCollection.Name)]
public sealed class CrossAccountTests(ApiSiloFixture silo)
{
    public static TheoryData<string> BobsAttempts => new()
    {
        "GetObject",
        "HeadObject",
        "PutObject",
        "DeleteObject",
        "DeleteObjects",
        "ListObjectsV2",
        "ListObjects",
        "CopyObjectOutOfAlicesBucket",
        "CopyObjectIntoAlicesBucket",
        "DeleteBucket",
        "GetBucketLocation",
        "CreateMultipartUpload",
        "UploadPartToAlicesUpload",
        "CompleteAlicesUpload",
        "AbortAlicesUpload",
        "ListPartsOfAlicesUpload",
        "ListMultipartUploads",
        "GetObjectTagging",
        "PutObjectTagging",
        "DeleteObjectTagging",
        "ConditionalPutObject",
        "GetBucketTagging",
        "PutBucketTagging",
        "DeleteBucketTagging",
        "PutObjectAcl",
    };

    [Theory]
    [MemberData(nameof(BobsAttempts))]
    public async Task Bob_OnAlicesBucket_IsDeniedAndChangesNothing(string attempt)
    {
        using var alice = silo.Alices3();
        using var bob = silo.Bobs3();
        var bucket = await CreateBucketAsync(alice, "alice");
        var bobsBucket = await CreateBucketAsync(bob, "bob");
        await PutAsync(alice, bucket, "secret.txt", "alice's secret"u8.ToArray());
        var upload = await alice.InitiateMultipartUploadAsync(bucket, "in-progress");
        var part = await alice.UploadPartAsync(new UploadPartRequest { BucketName = bucket, Key = "in-progress", UploadId = upload.UploadId, PartNumber = 1, InputStream = new MemoryStream([1, 2, 3]) });

        Func<Task> act = attempt switch
        {
            "GetObject" => () => bob.GetObjectAsync(bucket, "secret.txt"),
            "HeadObject" => () => bob.GetObjectMetadataAsync(bucket, "secret.txt"),
            "PutObject" => () => PutAsync(bob, bucket, "secret.txt", "bob was here"u8.ToArray()),
            "DeleteObject" => () => bob.DeleteObjectAsync(bucket, "secret.txt"),
            "DeleteObjects" => () => bob.DeleteObjectsAsync(new DeleteObjectsRequest { BucketName = bucket, Objects = [new KeyVersion { Key = "secret.txt" }] }),
            "ListObjectsV2" => () => bob.ListObjectsV2Async(new ListObjectsV2Request { BucketName = bucket }),
            "ListObjects" => () => bob.ListObjectsAsync(new ListObjectsRequest { BucketName = bucket }),
            "CopyObjectOutOfAlicesBucket" => () => bob.CopyObjectAsync(bucket, "secret.txt", bobsBucket, "stolen.txt"),
            "CopyObjectIntoAlicesBucket" => async () =>
            {
                await PutAsync(bob, bobsBucket, "planted.txt", [9]);
                await bob.CopyObjectAsync(bobsBucket, "planted.txt", bucket, "secret.txt");
            },
            "DeleteBucket" => () => bob.DeleteBucketAsync(bucket),
            "GetBucketLocation" => () => bob.GetBucketLocationAsync(new GetBucketLocationRequest { BucketName = bucket }),
            "CreateMultipartUpload" => () => bob.InitiateMultipartUploadAsync(bucket, "bobs-upload"),
            "UploadPartToAlicesUpload" => () => bob.UploadPartAsync(new UploadPartRequest { BucketName = bucket, Key = "in-progress", UploadId = upload.UploadId, PartNumber = 1, InputStream = new MemoryStream([6, 6, 6]) }),
            "CompleteAlicesUpload" => () => bob.CompleteMultipartUploadAsync(new CompleteMultipartUploadRequest { BucketName = bucket, Key = "in-progress", UploadId = upload.UploadId, PartETags = [new PartETag(1, part.ETag)] }),
            "AbortAlicesUpload" => () => bob.AbortMultipartUploadAsync(bucket, "in-progress", upload.UploadId),
            "ListPartsOfAlicesUpload" => () => bob.ListPartsAsync(new ListPartsRequest { BucketName = bucket, Key = "in-progress", UploadId = upload.UploadId }),
            "ListMultipartUploads" => () => bob.ListMultipartUploadsAsync(bucket),
            "GetObjectTagging" => () => bob.GetObjectTaggingAsync(new GetObjectTaggingRequest { BucketName = bucket, Key = "secret.txt" }),
            "PutObjectTagging" => () => bob.PutObjectTaggingAsync(new PutObjectTaggingRequest { BucketName = bucket, Key = "secret.txt", Tagging = new Tagging { TagSet = [new Amazon.S3.Model.Tag { Key = "by", Value = "bob" }] } }),
            "DeleteObjectTagging" => () => bob.DeleteObjectTaggingAsync(new DeleteObjectTaggingRequest { BucketName = bucket, Key = "secret.txt" }),
            "GetBucketTagging" => () => bob.GetBucketTaggingAsync(new GetBucketTaggingRequest { BucketName = bucket }),
            "PutBucketTagging" => () => bob.PutBucketTaggingAsync(new PutBucketTaggingRequest { BucketName = bucket, TagSet = [new Amazon.S3.Model.Tag { Key = "by", Value = "bob" }] }),
            "DeleteBucketTagging" => () => bob.DeleteBucketTaggingAsync(new DeleteBucketTaggingRequest { BucketName = bucket }),
            "PutObjectAcl" => () => bob.PutObjectAclAsync(new PutObjectAclRequest { BucketName = bucket, Key = "secret.txt", ACL = S3CannedACL.AWSExecRead }),
            "ConditionalPutObject" => () => bob.PutObjectAsync(new Amazon.S3.Model.PutObjectRequest { BucketName = bucket, Key = "secret.txt", ContentBody = "bob was here", IfMatch = "*" }),
            _ => throw new ArgumentOutOfRangeException(nameof(attempt)),
        };

        var error = await FailsAsync(act);

        error.StatusCode.Should().Be(HttpStatusCode.Forbidden);
        if (attempt != "HeadObject")
        {
            error.ErrorCode.Should().Be("AccessDenied");
        }

        (await ReadAllAsync(alice, bucket, "secret.txt")).Should().Equal("alice's secret"u8.ToArray());
        (await alice.ListObjectsV2Async(new ListObjectsV2Request { BucketName = bucket })).S3Objects.Select(o => o.Key).Should().Equal("secret.txt");
        var uploads = await alice.ListMultipartUploadsAsync(bucket);
        uploads.MultipartUploads.Select(u => u.UploadId).Should().Equal(upload.UploadId);
        var parts = await alice.ListPartsAsync(new ListPartsRequest { BucketName = bucket, Key = "in-progress", UploadId = upload.UploadId });
        parts.Parts.Single().ETag.Should().Be(part.ETag);
        (await ExistsAsync(bob, bobsBucket, "stolen.txt")).Should().BeFalse();
    }

    [Fact]
    public async Task Bob_HeadBucketOfAlices_Answers403WithoutABody()
    {
        using var alice = silo.Alices3();
        using var http = new HttpClient();
        var bucket = await CreateBucketAsync(alice);

        var response = await http.SendAsync(new S3RawRequest
        {
            Method = HttpMethod.Head,
            Uri = new Uri(silo.BaseUri, bucket),
            AccessKeyId = ApiSiloFixture.BobKey,
            Secret = ApiSiloFixture.BobSecret,
        }.Build());

        response.StatusCode.Should().Be(HttpStatusCode.Forbidden);
        (await response.Content.ReadAsByteArrayAsync()).Should().BeEmpty();
    }

    [Fact]
    public async Task Bob_PresignedUrlForAlicesObject_IsDenied()
    {
        using var alice = silo.Alices3();
        using var bob = silo.Bobs3();
        using var http = new HttpClient();
        var bucket = await CreateBucketAsync(alice);
        await PutAsync(alice, bucket, "k", [1]);
        var url = await bob.GetPreSignedURLAsync(new GetPreSignedUrlRequest { BucketName = bucket, Key = "k", Verb = HttpVerb.GET, Expires = DateTime.UtcNow.AddMinutes(5), Protocol = Amazon.S3.Protocol.HTTP });

        var response = await http.GetAsync(url);

        response.StatusCode.Should().Be(HttpStatusCode.Forbidden);
        (await ErrorOfAsync(response)).Code.Should().Be("AccessDenied");
    }
}
