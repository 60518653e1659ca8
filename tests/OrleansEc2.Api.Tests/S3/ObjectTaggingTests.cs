using System.Net;
using System.Text;
using System.Xml.Linq;
using Amazon.S3;
using Amazon.S3.Model;
using OrleansEc2.Api.Tests.Infrastructure;
using static OrleansEc2.Api.Tests.S3.S3TestKit;

namespace OrleansEc2.Api.Tests.S3;

using PutObjectRequest = Amazon.S3.Model.PutObjectRequest;
using Tag = Amazon.S3.Model.Tag;

/// <summary>
/// Object tagging through the AWS SDK: <c>x-amz-tagging</c> on PutObject, CreateMultipartUpload and CopyObject,
/// Get/Put/DeleteObjectTagging, <c>x-amz-tagging-count</c>, and S3's rules and errors for a tag set.
/// </summary>
[Collection(ApiSiloCollection.Name)]
public sealed class ObjectTaggingTests(ApiSiloFixture silo)
{
    private static readonly List<Tag> Three = [new() { Key = "project", Value = "blue sky" }, new() { Key = "Classification", Value = "a+b=c/d" }, new() { Key = "empty", Value = "" }];

    [Fact]
    public async Task PutObject_WithTags_GetObjectTaggingAnswersThem_AndGetAndHeadCountThem()
    {
        using var s3 = silo.Alices3();
        var bucket = await CreateBucketAsync(s3);
        await s3.PutObjectAsync(new PutObjectRequest { BucketName = bucket, Key = "tagged", ContentBody = "hello", TagSet = Three });
        await PutAsync(s3, bucket, "plain", [1]);

        var tagging = await s3.GetObjectTaggingAsync(new GetObjectTaggingRequest { BucketName = bucket, Key = "tagged" });
        using var got = await s3.GetObjectAsync(bucket, "tagged");
        using var plain = await s3.GetObjectAsync(bucket, "plain");
        using var head = await silo.Http.SendAsync(new S3RawRequest { Method = HttpMethod.Head, Uri = new Uri(silo.BaseUri, $"{bucket}/tagged") }.Build());
        using var plainHead = await silo.Http.SendAsync(new S3RawRequest { Method = HttpMethod.Head, Uri = new Uri(silo.BaseUri, $"{bucket}/plain") }.Build());

        Pairs(tagging.Tagging).Should().Equal(Pairs(Three));
        got.TagCount.Should().Be(3);
        head.Headers.GetValues("x-amz-tagging-count").Should().Equal("3");
        (plain.TagCount ?? 0).Should().Be(0);
        plainHead.Headers.Contains("x-amz-tagging-count").Should().BeFalse();
    }

    [Theory]
    [InlineData("a=1&b=2", "a=1|b=2")]
    [InlineData("a&b=", "a=|b=")]
    [InlineData("a%20b=c%2Bd&e+f=g=h", "a b=c+d|e f=g=h")]
    [InlineData("%C3%BC=%E6%96%87", "ü=文")]
    public async Task PutObject_TaggingHeader_IsReadAsAUrlQuery(string header, string expected)
    {
        using var s3 = silo.Alices3();
        var bucket = await CreateBucketAsync(s3);

        using var response = await silo.Http.SendAsync(new S3RawRequest { Uri = new Uri(silo.BaseUri, $"{bucket}/k"), Body = [1], Headers = { ["x-amz-tagging"] = header } }.Build());
        var tagging = await s3.GetObjectTaggingAsync(new GetObjectTaggingRequest { BucketName = bucket, Key = "k" });

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        string.Join('|', Pairs(tagging.Tagging)).Should().Be(expected);
    }

    [Fact]
    public async Task PutObjectTagging_ReplacesTheSet_DeleteObjectTaggingEmptiesIt_AndNeitherChangesTheObject()
    {
        using var s3 = silo.Alices3();
        var bucket = await CreateBucketAsync(s3);
        await s3.PutObjectAsync(new PutObjectRequest { BucketName = bucket, Key = "k", ContentBody = "hello", TagSet = Three });
        var before = await s3.GetObjectMetadataAsync(bucket, "k");
        silo.Time.Advance(TimeSpan.FromMinutes(3));

        var put = await s3.PutObjectTaggingAsync(new PutObjectTaggingRequest { BucketName = bucket, Key = "k", Tagging = new Tagging { TagSet = [new() { Key = "only", Value = "one" }] } });
        var replaced = await s3.GetObjectTaggingAsync(new GetObjectTaggingRequest { BucketName = bucket, Key = "k" });
        var deleted = await s3.DeleteObjectTaggingAsync(new DeleteObjectTaggingRequest { BucketName = bucket, Key = "k" });
        var emptied = await s3.GetObjectTaggingAsync(new GetObjectTaggingRequest { BucketName = bucket, Key = "k" });
        using var got = await s3.GetObjectAsync(bucket, "k");

        put.HttpStatusCode.Should().Be(HttpStatusCode.OK);
        Pairs(replaced.Tagging).Should().Equal("only=one");
        deleted.HttpStatusCode.Should().Be(HttpStatusCode.NoContent);
        emptied.Tagging.Should().BeNullOrEmpty();
        (got.TagCount ?? 0).Should().Be(0);
        got.ETag.Should().Be(before.ETag);
        got.LastModified.Should().Be(before.LastModified);
        (await ReadAllAsync(s3, bucket, "k")).Should().Equal("hello"u8.ToArray());
    }

    [Fact]
    public async Task PutObjectTagging_WithAnEmptyTagSet_RemovesTheTags()
    {
        using var s3 = silo.Alices3();
        var bucket = await CreateBucketAsync(s3);
        await s3.PutObjectAsync(new PutObjectRequest { BucketName = bucket, Key = "k", ContentBody = "hello", TagSet = Three });

        await s3.PutObjectTaggingAsync(new PutObjectTaggingRequest { BucketName = bucket, Key = "k", Tagging = new Tagging { TagSet = [] } });

        (await s3.GetObjectTaggingAsync(new GetObjectTaggingRequest { BucketName = bucket, Key = "k" })).Tagging.Should().BeNullOrEmpty();
    }

    [Fact]
    public async Task Tagging_OfAKeyThatDoesNotExist_IsNoSuchKey()
    {
        using var s3 = silo.Alices3();
        var bucket = await CreateBucketAsync(s3);

        var get = await FailsAsync(() => s3.GetObjectTaggingAsync(new GetObjectTaggingRequest { BucketName = bucket, Key = "absent" }));
        var put = await FailsAsync(() => s3.PutObjectTaggingAsync(new PutObjectTaggingRequest { BucketName = bucket, Key = "absent", Tagging = new Tagging { TagSet = [new() { Key = "a", Value = "1" }] } }));
        var delete = await FailsAsync(() => s3.DeleteObjectTaggingAsync(new DeleteObjectTaggingRequest { BucketName = bucket, Key = "absent" }));

        foreach (var error in new[] { get, put, delete })
        {
            error.StatusCode.Should().Be(HttpStatusCode.NotFound);
            error.ErrorCode.Should().Be("NoSuchKey");
        }

        (await ExistsAsync(s3, bucket, "absent")).Should().BeFalse();
    }

    [Fact]
    public async Task AWriteWithoutTags_LeavesTheObjectItReplacesUntagged_AndSoDoesADeleteAndPut()
    {
        using var s3 = silo.Alices3();
        var bucket = await CreateBucketAsync(s3);
        await s3.PutObjectAsync(new PutObjectRequest { BucketName = bucket, Key = "overwritten", ContentBody = "1", TagSet = Three });
        await s3.PutObjectAsync(new PutObjectRequest { BucketName = bucket, Key = "deleted", ContentBody = "1", TagSet = Three });

        await PutAsync(s3, bucket, "overwritten", [2]);
        await s3.DeleteObjectAsync(bucket, "deleted");
        await PutAsync(s3, bucket, "deleted", [2]);

        foreach (var key in new[] { "overwritten", "deleted" })
        {
            (await s3.GetObjectTaggingAsync(new GetObjectTaggingRequest { BucketName = bucket, Key = key })).Tagging.Should().BeNullOrEmpty(key);
        }
    }

    public static TheoryData<string, List<Tag>, HttpStatusCode, string, string> BrokenTagSets => new()
    {
        { "11 tags", [.. Enumerable.Range(0, 11).Select(i => new Tag { Key = $"key-{i}", Value = "" })], HttpStatusCode.BadRequest, "BadRequest", "Object tags cannot be greater than 10" },
        { "a key of 129 characters", [new() { Key = new string('k', 129), Value = "v" }], HttpStatusCode.BadRequest, "InvalidTag", "The TagKey you have provided is invalid" },
        { "a value of 257 characters", [new() { Key = "k", Value = new string('v', 257) }], HttpStatusCode.BadRequest, "InvalidTag", "The TagValue you have provided is invalid" },
        { "a key with a character S3 refuses", [new() { Key = "a;b", Value = "v" }], HttpStatusCode.BadRequest, "InvalidTag", "The TagKey you have provided is invalid" },
        { "a value with a character S3 refuses", [new() { Key = "k", Value = "a*b" }], HttpStatusCode.BadRequest, "InvalidTag", "The TagValue you have provided is invalid" },
        { "two tags with one key", [new() { Key = "a", Value = "1" }, new() { Key = "a", Value = "2" }], HttpStatusCode.BadRequest, "InvalidTag", "Cannot provide multiple Tags with the same key" },
        { "a key beginning aws:", [new() { Key = "aws:cost", Value = "1" }], HttpStatusCode.BadRequest, "InvalidTag", "Your TagKey cannot be prefixed with aws:" },
    };

    [Theory]
    [MemberData(nameof(BrokenTagSets))]
    public async Task PutObjectTagging_OfATagSetBreakingS3sRules_IsRefused_AndTheTagsStay(string name, List<Tag> tags, HttpStatusCode status, string code, string message)
    {
        using var s3 = silo.Alices3();
        var bucket = await CreateBucketAsync(s3);
        await s3.PutObjectAsync(new PutObjectRequest { BucketName = bucket, Key = "k", ContentBody = "1", TagSet = Three });

        var error = await FailsAsync(() => s3.PutObjectTaggingAsync(new PutObjectTaggingRequest { BucketName = bucket, Key = "k", Tagging = new Tagging { TagSet = tags } }));

        error.StatusCode.Should().Be(status, name);
        error.ErrorCode.Should().Be(code);
        error.Message.Should().Be(message);
        Pairs((await s3.GetObjectTaggingAsync(new GetObjectTaggingRequest { BucketName = bucket, Key = "k" })).Tagging).Should().Equal(Pairs(Three));
    }

    /// <summary>The same, but two tags with one key: in a header, S3 cannot read that (InvalidArgument, tested below).</summary>
    public static TheoryData<string, List<Tag>, HttpStatusCode, string, string> BrokenTagSetsOfAHeader
    {
        get
        {
            var data = new TheoryData<string, List<Tag>, HttpStatusCode, string, string>();
            foreach (var row in BrokenTagSets.Where(r => (string)r[0] != "two tags with one key"))
            {
                data.Add((string)row[0], (List<Tag>)row[1], (HttpStatusCode)row[2], (string)row[3], (string)row[4]);
            }

            return data;
        }
    }

    [Theory]
    [MemberData(nameof(BrokenTagSetsOfAHeader))]
    public async Task PutObject_WithATagSetBreakingS3sRules_IsRefused_AndStoresNothing(string name, List<Tag> tags, HttpStatusCode status, string code, string message)
    {
        using var s3 = silo.Alices3();
        var bucket = await CreateBucketAsync(s3);

        var error = await FailsAsync(() => s3.PutObjectAsync(new PutObjectRequest { BucketName = bucket, Key = "k", ContentBody = "1", TagSet = tags }));

        error.StatusCode.Should().Be(status, name);
        error.ErrorCode.Should().Be(code);
        error.Message.Should().Be(message);
        (await ExistsAsync(s3, bucket, "k")).Should().BeFalse();
    }

    [Fact]
    public async Task TenTagsAtS3sLengths_AreAccepted()
    {
        using var s3 = silo.Alices3();
        var bucket = await CreateBucketAsync(s3);
        await PutAsync(s3, bucket, "k", [1]);
        List<Tag> ten =
        [
            .. Enumerable.Range(0, 7).Select(i => new Tag { Key = $"key-{i}", Value = $"value-{i}" }),
            new() { Key = "b c+d-e=f.g_h:i/j@k", Value = "2 + 2 = 4" },
            new() { Key = "ünïcødé 文字", Value = "" },
            new() { Key = new string('k', 128), Value = new string('文', 256) },
        ];

        await s3.PutObjectTaggingAsync(new PutObjectTaggingRequest { BucketName = bucket, Key = "k", Tagging = new Tagging { TagSet = ten } });

        Pairs((await s3.GetObjectTaggingAsync(new GetObjectTaggingRequest { BucketName = bucket, Key = "k" })).Tagging).Should().Equal(Pairs(ten));
        using var got = await s3.GetObjectAsync(bucket, "k");
        got.TagCount.Should().Be(10);
    }

    [Theory]
    [InlineData("a;b=1", "TagKey", "a;b")]
    [InlineData("k=a%2Ab", "TagValue", "a*b")]
    [InlineData("aws:cost=1", "TagKey", "aws:cost")]
    public async Task AnInvalidTag_ErrorDocumentNamesIt(string header, string element, string named)
    {
        using var s3 = silo.Alices3();
        var bucket = await CreateBucketAsync(s3);

        using var response = await silo.Http.SendAsync(new S3RawRequest { Uri = new Uri(silo.BaseUri, $"{bucket}/k"), Body = [1], Headers = { ["x-amz-tagging"] = header } }.Build());
        var document = XDocument.Parse(await response.Content.ReadAsStringAsync()).Root!;

        response.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        document.Element("Code")!.Value.Should().Be("InvalidTag");
        document.Element(element)!.Value.Should().Be(named);
    }

    [Theory]
    [InlineData("a=1&a=2")]
    [InlineData("=1")]
    [InlineData("a=%FF")]
    [InlineData("a=%Z1")]
    public async Task PutObject_TaggingHeaderS3CannotRead_IsInvalidArgument_AndStoresNothing(string header)
    {
        using var s3 = silo.Alices3();
        var bucket = await CreateBucketAsync(s3);

        using var response = await silo.Http.SendAsync(new S3RawRequest { Uri = new Uri(silo.BaseUri, $"{bucket}/k"), Body = [1], Headers = { ["x-amz-tagging"] = header } }.Build());
        var document = XDocument.Parse(await response.Content.ReadAsStringAsync()).Root!;

        response.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        document.Element("Code")!.Value.Should().Be("InvalidArgument");
        document.Element("Message")!.Value.Should().Be("The header 'x-amz-tagging' shall be encoded as UTF-8 then URLEncoded URL query parameters without tag name duplicates.");
        document.Element("ArgumentName")!.Value.Should().Be("x-amz-tagging");
        document.Element("ArgumentValue")!.Value.Should().Be(header);
        (await ExistsAsync(s3, bucket, "k")).Should().BeFalse();
    }

    [Theory]
    [InlineData("<Tagging><TagSet>", "MalformedXML")]
    [InlineData("<Tagging></Tagging>", "MalformedXML")]
    [InlineData("<Tagging><TagSet><Tag><Key>a</Key></Tag></TagSet></Tagging>", "MalformedXML")]
    [InlineData("<Tagging><TagSet><Tag><Key>a</Key><Value>1</Value><Value>2</Value></Tag></TagSet></Tagging>", "MalformedXML")]
    [InlineData("<Tags><TagSet></TagSet></Tags>", "MalformedXML")]
    [InlineData("", "MissingRequestBodyError")]
    public async Task PutObjectTagging_ADocumentS3CannotRead_IsRefused_AndTheTagsStay(string document, string code)
    {
        using var s3 = silo.Alices3();
        var bucket = await CreateBucketAsync(s3);
        await s3.PutObjectAsync(new PutObjectRequest { BucketName = bucket, Key = "k", ContentBody = "1", TagSet = Three });
        var body = Encoding.UTF8.GetBytes(document);

        using var response = await silo.Http.SendAsync(new S3RawRequest
        {
            Uri = new Uri(silo.BaseUri, $"{bucket}/k?tagging"),
            Body = body,
            Headers = { ["content-md5"] = S3RawRequest.Md5Base64(body) },
        }.Build());

        response.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        (await ErrorOfAsync(response)).Code.Should().Be(code);
        Pairs((await s3.GetObjectTaggingAsync(new GetObjectTaggingRequest { BucketName = bucket, Key = "k" })).Tagging).Should().Equal(Pairs(Three));
    }

    [Fact]
    public async Task MultipartUpload_WithTags_CompletesIntoATaggedObject()
    {
        using var s3 = silo.Alices3();
        var bucket = await CreateBucketAsync(s3);

        var upload = await s3.InitiateMultipartUploadAsync(new InitiateMultipartUploadRequest { BucketName = bucket, Key = "mp", TagSet = Three });
        var part = await s3.UploadPartAsync(new UploadPartRequest { BucketName = bucket, Key = "mp", UploadId = upload.UploadId, PartNumber = 1, InputStream = new MemoryStream(Bytes(100, 3)) });
        await s3.CompleteMultipartUploadAsync(new CompleteMultipartUploadRequest { BucketName = bucket, Key = "mp", UploadId = upload.UploadId, PartETags = [new PartETag(1, part.ETag)] });

        Pairs((await s3.GetObjectTaggingAsync(new GetObjectTaggingRequest { BucketName = bucket, Key = "mp" })).Tagging).Should().Equal(Pairs(Three));
    }

    [Fact]
    public async Task MultipartUpload_WithATagSetBreakingS3sRules_IsNotStarted()
    {
        using var s3 = silo.Alices3();
        var bucket = await CreateBucketAsync(s3);

        var error = await FailsAsync(() => s3.InitiateMultipartUploadAsync(new InitiateMultipartUploadRequest { BucketName = bucket, Key = "mp", TagSet = [new() { Key = "aws:x", Value = "1" }] }));

        error.ErrorCode.Should().Be("InvalidTag");
        (await s3.ListMultipartUploadsAsync(bucket)).MultipartUploads.Should().BeNullOrEmpty();
    }

    [Fact]
    public async Task CopyObject_TaggingDirective_CopiesTheSourcesTagsByDefault_OrReplacesThem()
    {
        using var s3 = silo.Alices3();
        var bucket = await CreateBucketAsync(s3);
        await s3.PutObjectAsync(new PutObjectRequest { BucketName = bucket, Key = "source", ContentBody = "1", TagSet = Three });
        List<Tag> other = [new() { Key = "b", Value = "2" }, new() { Key = "c", Value = "3" }];

        await s3.CopyObjectAsync(new CopyObjectRequest { SourceBucket = bucket, SourceKey = "source", DestinationBucket = bucket, DestinationKey = "default", TagSet = other });
        await s3.CopyObjectAsync(new CopyObjectRequest { SourceBucket = bucket, SourceKey = "source", DestinationBucket = bucket, DestinationKey = "copied", TaggingDirective = TaggingDirective.COPY, TagSet = other });
        await s3.CopyObjectAsync(new CopyObjectRequest { SourceBucket = bucket, SourceKey = "source", DestinationBucket = bucket, DestinationKey = "replaced", TaggingDirective = TaggingDirective.REPLACE, TagSet = other });
        await s3.CopyObjectAsync(new CopyObjectRequest { SourceBucket = bucket, SourceKey = "source", DestinationBucket = bucket, DestinationKey = "untagged", TaggingDirective = TaggingDirective.REPLACE });

        async Task<IEnumerable<string>> TagsOf(string key) => Pairs((await s3.GetObjectTaggingAsync(new GetObjectTaggingRequest { BucketName = bucket, Key = key })).Tagging);
        (await TagsOf("default")).Should().Equal(Pairs(Three));
        (await TagsOf("copied")).Should().Equal(Pairs(Three));
        (await TagsOf("replaced")).Should().Equal("b=2", "c=3");
        (await TagsOf("untagged")).Should().BeEmpty();
        (await TagsOf("source")).Should().Equal(Pairs(Three));
    }

    [Fact]
    public async Task CopyObject_ATaggingDirectiveS3DoesNotHave_IsInvalidArgument()
    {
        using var s3 = silo.Alices3();
        var bucket = await CreateBucketAsync(s3);
        await PutAsync(s3, bucket, "source", [1]);

        using var response = await silo.Http.SendAsync(new S3RawRequest
        {
            Uri = new Uri(silo.BaseUri, $"{bucket}/copy"),
            Headers = { ["x-amz-copy-source"] = $"{bucket}/source", ["x-amz-tagging-directive"] = "MERGE" },
        }.Build());
        var document = XDocument.Parse(await response.Content.ReadAsStringAsync()).Root!;

        response.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        document.Element("Code")!.Value.Should().Be("InvalidArgument");
        document.Element("Message")!.Value.Should().Be("Unknown tagging directive.");
        document.Element("ArgumentValue")!.Value.Should().Be("MERGE");
        (await ExistsAsync(s3, bucket, "copy")).Should().BeFalse();
    }

    [Fact]
    public async Task AnotherAccount_CannotReadSetOrDeleteTheTags()
    {
        using var alice = silo.Alices3();
        using var bob = silo.Bobs3();
        var bucket = await CreateBucketAsync(alice);
        await alice.PutObjectAsync(new PutObjectRequest { BucketName = bucket, Key = "k", ContentBody = "1", TagSet = Three });

        var get = await FailsAsync(() => bob.GetObjectTaggingAsync(new GetObjectTaggingRequest { BucketName = bucket, Key = "k" }));
        var put = await FailsAsync(() => bob.PutObjectTaggingAsync(new PutObjectTaggingRequest { BucketName = bucket, Key = "k", Tagging = new Tagging { TagSet = [new() { Key = "by", Value = "bob" }] } }));
        var delete = await FailsAsync(() => bob.DeleteObjectTaggingAsync(new DeleteObjectTaggingRequest { BucketName = bucket, Key = "k" }));

        foreach (var error in new[] { get, put, delete })
        {
            error.StatusCode.Should().Be(HttpStatusCode.Forbidden);
            error.ErrorCode.Should().Be("AccessDenied");
        }

        Pairs((await alice.GetObjectTaggingAsync(new GetObjectTaggingRequest { BucketName = bucket, Key = "k" })).Tagging).Should().Equal(Pairs(Three));
    }

    private static IEnumerable<string> Pairs(IEnumerable<Tag>? tags) => (tags ?? []).Select(t => $"{t.Key}={t.Value}").ToList();
}
