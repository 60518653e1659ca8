using System.Net;
using System.Text;
using System.Xml.Linq;
using Amazon.S3;
using Amazon.S3.Model;
using OrleansEc2.Api.Tests.Infrastructure;
using static OrleansEc2.Api.Tests.S3.S3TestKit;

namespace OrleansEc2.Api.Tests.S3;

using Tag = Amazon.S3.Model.Tag;

/// <summary>
/// Bucket tagging through the AWS SDK: Put/Get/DeleteBucketTagging (<c>?tagging</c> on the bucket), S3's rules for a
/// bucket's tag set (50 tags, the object rules otherwise, the bucket's words for <c>aws:</c>) and its errors.
/// </summary>
[Collection(ApiSiloCollection.Name)]
public sealed class BucketTaggingTests(ApiSiloFixture silo)
{
    private static readonly List<Tag> Three = [new() { Key = "project", Value = "blue sky" }, new() { Key = "Cost-Center", Value = "a+b=c/d" }, new() { Key = "empty", Value = "" }];

    [Fact]
    public async Task PutBucketTagging_Answers204_AndGetBucketTaggingAnswersTheSetInItsOrder()
    {
        using var s3 = silo.Alices3();
        var bucket = await CreateBucketAsync(s3);

        var put = await s3.PutBucketTaggingAsync(new PutBucketTaggingRequest { BucketName = bucket, TagSet = Three });
        var got = await s3.GetBucketTaggingAsync(new GetBucketTaggingRequest { BucketName = bucket });

        put.HttpStatusCode.Should().Be(HttpStatusCode.NoContent);
        Pairs(got.TagSet).Should().Equal(Pairs(Three));
    }

    [Fact]
    public async Task PutBucketTagging_ReplacesTheWholeSet()
    {
        using var s3 = silo.Alices3();
        var bucket = await CreateBucketAsync(s3);
        await s3.PutBucketTaggingAsync(new PutBucketTaggingRequest { BucketName = bucket, TagSet = Three });

        await s3.PutBucketTaggingAsync(new PutBucketTaggingRequest { BucketName = bucket, TagSet = [new() { Key = "only", Value = "one" }] });

        Pairs((await s3.GetBucketTaggingAsync(new GetBucketTaggingRequest { BucketName = bucket })).TagSet).Should().Equal("only=one");
    }

    [Fact]
    public async Task DeleteBucketTagging_Answers204_AndTheBucketHasNoTagSetAfterIt()
    {
        using var s3 = silo.Alices3();
        var bucket = await CreateBucketAsync(s3);
        await s3.PutBucketTaggingAsync(new PutBucketTaggingRequest { BucketName = bucket, TagSet = Three });

        var deleted = await s3.DeleteBucketTaggingAsync(new DeleteBucketTaggingRequest { BucketName = bucket });
        var again = await s3.DeleteBucketTaggingAsync(new DeleteBucketTaggingRequest { BucketName = bucket });
        var error = await FailsAsync(() => s3.GetBucketTaggingAsync(new GetBucketTaggingRequest { BucketName = bucket }));

        deleted.HttpStatusCode.Should().Be(HttpStatusCode.NoContent);
        again.HttpStatusCode.Should().Be(HttpStatusCode.NoContent, "deleting the tags of an untagged bucket succeeds");
        error.StatusCode.Should().Be(HttpStatusCode.NotFound);
        error.ErrorCode.Should().Be("NoSuchTagSet");
        error.Message.Should().Be("The TagSet does not exist");
    }

    [Fact]
    public async Task PutBucketTagging_OfAnEmptyTagSet_LeavesTheBucketWithNoTagSet()
    {
        using var s3 = silo.Alices3();
        var bucket = await CreateBucketAsync(s3);
        await s3.PutBucketTaggingAsync(new PutBucketTaggingRequest { BucketName = bucket, TagSet = Three });

        await SendTaggingDocumentAsync(bucket, "<Tagging><TagSet></TagSet></Tagging>");

        (await FailsAsync(() => s3.GetBucketTaggingAsync(new GetBucketTaggingRequest { BucketName = bucket }))).ErrorCode.Should().Be("NoSuchTagSet");
    }

    [Fact]
    public async Task GetBucketTagging_AnswersS3sDocument()
    {
        using var s3 = silo.Alices3();
        var bucket = await CreateBucketAsync(s3);
        await s3.PutBucketTaggingAsync(new PutBucketTaggingRequest { BucketName = bucket, TagSet = [new() { Key = "a", Value = "1" }] });

        using var response = await silo.Http.SendAsync(new S3RawRequest { Method = HttpMethod.Get, Uri = new Uri(silo.BaseUri, $"{bucket}?tagging") }.Build());
        var document = XDocument.Parse(await response.Content.ReadAsStringAsync()).Root!;

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        XNamespace s3Namespace = "http://s3.amazonaws.com/doc/2006-03-01/";
        document.Name.Should().Be(s3Namespace + "Tagging");
        document.Elements().Select(e => e.Name.LocalName).Should().Equal("TagSet");
        var tag = document.Element(s3Namespace + "TagSet")!.Elements().Should().ContainSingle().Which;
        tag.Element(s3Namespace + "Key")!.Value.Should().Be("a");
        tag.Element(s3Namespace + "Value")!.Value.Should().Be("1");
    }

    [Fact]
    public async Task FiftyTagsAtS3sLengths_AreAccepted()
    {
        using var s3 = silo.Alices3();
        var bucket = await CreateBucketAsync(s3);
        List<Tag> fifty =
        [
            .. Enumerable.Range(0, 47).Select(i => new Tag { Key = $"key-{i}", Value = $"value-{i}" }),
            new() { Key = "b c+d-e=f.g_h:i/j@k", Value = "2 + 2 = 4" },
            new() { Key = "ünïcødé 文字", Value = "" },
            new() { Key = new string('k', 128), Value = new string('文', 256) },
        ];

        await s3.PutBucketTaggingAsync(new PutBucketTaggingRequest { BucketName = bucket, TagSet = fifty });

        Pairs((await s3.GetBucketTaggingAsync(new GetBucketTaggingRequest { BucketName = bucket })).TagSet).Should().Equal(Pairs(fifty));
    }

    public static TheoryData<string, List<Tag>, string, string> BrokenTagSets => new()
    {
        { "51 tags", [.. Enumerable.Range(0, 51).Select(i => new Tag { Key = $"key-{i}", Value = "" })], "BadRequest", "Bucket tag count cannot be greater than 50" },
        { "an empty key", [new() { Key = "", Value = "v" }], "InvalidTag", "The TagKey you have provided is invalid" },
        { "a key of 129 characters", [new() { Key = new string('k', 129), Value = "v" }], "InvalidTag", "The TagKey you have provided is invalid" },
        { "a value of 257 characters", [new() { Key = "k", Value = new string('v', 257) }], "InvalidTag", "The TagValue you have provided is invalid" },
        { "a key with a character S3 refuses", [new() { Key = "a;b", Value = "v" }], "InvalidTag", "The TagKey you have provided is invalid" },
        { "a value with a character S3 refuses", [new() { Key = "k", Value = "a*b" }], "InvalidTag", "The TagValue you have provided is invalid" },
        { "two tags with one key", [new() { Key = "a", Value = "1" }, new() { Key = "a", Value = "2" }], "InvalidTag", "Cannot provide multiple Tags with the same key" },
        { "a system tag's key", [new() { Key = "aws:cloudformation:stack-name", Value = "1" }], "InvalidTag", "System tags cannot be added/updated by requester" },
        { "the system prefix in capitals", [new() { Key = "AWS:cost", Value = "1" }], "InvalidTag", "Invalid Tag. Tags cannot start with \"aws:\"(case insensitive) unless they are System Tags that start with \"aws:\"(case sensitive)" },
    };

    [Theory]
    [MemberData(nameof(BrokenTagSets))]
    public async Task PutBucketTagging_OfATagSetBreakingS3sRules_Is400_AndTheTagsStay(string name, List<Tag> tags, string code, string message)
    {
        using var s3 = silo.Alices3();
        var bucket = await CreateBucketAsync(s3);
        await s3.PutBucketTaggingAsync(new PutBucketTaggingRequest { BucketName = bucket, TagSet = Three });

        var error = await FailsAsync(() => s3.PutBucketTaggingAsync(new PutBucketTaggingRequest { BucketName = bucket, TagSet = tags }));

        error.StatusCode.Should().Be(HttpStatusCode.BadRequest, name);
        error.ErrorCode.Should().Be(code);
        error.Message.Should().Be(message);
        Pairs((await s3.GetBucketTaggingAsync(new GetBucketTaggingRequest { BucketName = bucket })).TagSet).Should().Equal(Pairs(Three));
    }

    [Theory]
    [InlineData("<Tag><Key>a;b</Key><Value>1</Value></Tag>", "a;b", null)]
    [InlineData("<Tag><Key>k</Key><Value>a*b</Value></Tag>", "k", "a*b")]
    [InlineData("<Tag><Key>aws:cost</Key><Value>1</Value></Tag>", "aws:cost", null)]
    [InlineData("<Tag><Key>a</Key><Value>1</Value></Tag><Tag><Key>a</Key><Value>2</Value></Tag>", "a", null)]
    public async Task AnInvalidTag_ErrorDocumentNamesIt(string tags, string tagKey, string? tagValue)
    {
        using var s3 = silo.Alices3();
        var bucket = await CreateBucketAsync(s3);

        using var response = await SendTaggingDocumentAsync(bucket, $"<Tagging><TagSet>{tags}</TagSet></Tagging>");
        var document = XDocument.Parse(await response.Content.ReadAsStringAsync()).Root!;

        response.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        document.Element("Code")!.Value.Should().Be("InvalidTag");
        document.Element("TagKey")!.Value.Should().Be(tagKey);
        if (tagValue is null)
        {
            document.Element("TagValue").Should().BeNull();
        }
        else
        {
            document.Element("TagValue")!.Value.Should().Be(tagValue);
        }
    }

    [Theory]
    [InlineData("<Tagging><TagSet>", "MalformedXML")]
    [InlineData("<Tagging></Tagging>", "MalformedXML")]
    [InlineData("<Tagging><TagSet><Tag><Key>a</Key></Tag></TagSet></Tagging>", "MalformedXML")]
    [InlineData("<Tagging><TagSet><Tag><Key>a</Key><Value>1</Value><Value>2</Value></Tag></TagSet></Tagging>", "MalformedXML")]
    [InlineData("<Tagging><TagSet><Other/></TagSet></Tagging>", "MalformedXML")]
    [InlineData("<Tags><TagSet></TagSet></Tags>", "MalformedXML")]
    [InlineData("", "MissingRequestBodyError")]
    public async Task PutBucketTagging_ADocumentS3CannotRead_IsRefused_AndTheTagsStay(string document, string code)
    {
        using var s3 = silo.Alices3();
        var bucket = await CreateBucketAsync(s3);
        await s3.PutBucketTaggingAsync(new PutBucketTaggingRequest { BucketName = bucket, TagSet = Three });

        using var response = await SendTaggingDocumentAsync(bucket, document);

        response.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        (await ErrorOfAsync(response)).Code.Should().Be(code);
        Pairs((await s3.GetBucketTaggingAsync(new GetBucketTaggingRequest { BucketName = bucket })).TagSet).Should().Equal(Pairs(Three));
    }

    [Fact]
    public async Task PutBucketTagging_WithoutContentMd5OrAChecksum_IsInvalidRequest_AndTheBucketStaysUntagged()
    {
        using var s3 = silo.Alices3();
        var bucket = await CreateBucketAsync(s3);

        using var response = await silo.Http.SendAsync(new S3RawRequest
        {
            Uri = new Uri(silo.BaseUri, $"{bucket}?tagging"),
            Body = "<Tagging><TagSet><Tag><Key>a</Key><Value>1</Value></Tag></TagSet></Tagging>"u8.ToArray(),
        }.Build());

        response.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        var (code, message, _) = await ErrorOfAsync(response);
        code.Should().Be("InvalidRequest");
        message.Should().Be("Missing required header for this request: Content-MD5 OR x-amz-checksum-*");
        (await FailsAsync(() => s3.GetBucketTaggingAsync(new GetBucketTaggingRequest { BucketName = bucket }))).ErrorCode.Should().Be("NoSuchTagSet");
    }

    [Fact]
    public async Task BucketTags_AreNotObjectTags_AndObjectTagsAreNotTheBuckets()
    {
        using var s3 = silo.Alices3();
        var bucket = await CreateBucketAsync(s3);
        await s3.PutObjectAsync(new Amazon.S3.Model.PutObjectRequest { BucketName = bucket, Key = "k", ContentBody = "1", TagSet = [new() { Key = "object", Value = "1" }] });

        await s3.PutBucketTaggingAsync(new PutBucketTaggingRequest { BucketName = bucket, TagSet = [new() { Key = "bucket", Value = "2" }] });

        Pairs((await s3.GetBucketTaggingAsync(new GetBucketTaggingRequest { BucketName = bucket })).TagSet).Should().Equal("bucket=2");
        Pairs((await s3.GetObjectTaggingAsync(new GetObjectTaggingRequest { BucketName = bucket, Key = "k" })).Tagging).Should().Equal("object=1");
    }

    [Fact]
    public async Task ABucketDeletedAndCreatedAgain_HasNoTags()
    {
        using var s3 = silo.Alices3();
        var bucket = await CreateBucketAsync(s3);
        await s3.PutBucketTaggingAsync(new PutBucketTaggingRequest { BucketName = bucket, TagSet = Three });

        await s3.DeleteBucketAsync(bucket);
        await s3.PutBucketAsync(new PutBucketRequest { BucketName = bucket });

        (await FailsAsync(() => s3.GetBucketTaggingAsync(new GetBucketTaggingRequest { BucketName = bucket }))).ErrorCode.Should().Be("NoSuchTagSet");
    }

    [Fact]
    public async Task BucketTagging_OfABucketThatDoesNotExist_IsNoSuchBucket()
    {
        using var s3 = silo.Alices3();
        var bucket = UniqueBucket("missing");

        var get = await FailsAsync(() => s3.GetBucketTaggingAsync(new GetBucketTaggingRequest { BucketName = bucket }));
        var put = await FailsAsync(() => s3.PutBucketTaggingAsync(new PutBucketTaggingRequest { BucketName = bucket, TagSet = Three }));
        var delete = await FailsAsync(() => s3.DeleteBucketTaggingAsync(new DeleteBucketTaggingRequest { BucketName = bucket }));

        foreach (var error in new[] { get, put, delete })
        {
            error.StatusCode.Should().Be(HttpStatusCode.NotFound);
            error.ErrorCode.Should().Be("NoSuchBucket");
        }
    }

    [Fact]
    public async Task AnotherAccount_CannotReadSetOrDeleteTheBucketsTags()
    {
        using var alice = silo.Alices3();
        using var bob = silo.Bobs3();
        var bucket = await CreateBucketAsync(alice);
        await alice.PutBucketTaggingAsync(new PutBucketTaggingRequest { BucketName = bucket, TagSet = Three });

        var get = await FailsAsync(() => bob.GetBucketTaggingAsync(new GetBucketTaggingRequest { BucketName = bucket }));
        var put = await FailsAsync(() => bob.PutBucketTaggingAsync(new PutBucketTaggingRequest { BucketName = bucket, TagSet = [new() { Key = "by", Value = "bob" }] }));
        var delete = await FailsAsync(() => bob.DeleteBucketTaggingAsync(new DeleteBucketTaggingRequest { BucketName = bucket }));

        foreach (var error in new[] { get, put, delete })
        {
            error.StatusCode.Should().Be(HttpStatusCode.Forbidden);
            error.ErrorCode.Should().Be("AccessDenied");
        }

        Pairs((await alice.GetBucketTaggingAsync(new GetBucketTaggingRequest { BucketName = bucket })).TagSet).Should().Equal(Pairs(Three));
    }

    /// <summary>PutBucketTagging with <paramref name="document"/> as its body, with the Content-MD5 S3 requires.</summary>
    private Task<HttpResponseMessage> SendTaggingDocumentAsync(string bucket, string document)
    {
        var body = Encoding.UTF8.GetBytes(document);
        return silo.Http.SendAsync(new S3RawRequest
        {
            Uri = new Uri(silo.BaseUri, $"{bucket}?tagging"),
            Body = body,
            Headers = { ["content-md5"] = S3RawRequest.Md5Base64(body) },
        }.Build());
    }

    private static IEnumerable<string> Pairs(IEnumerable<Tag>? tags) => (tags ?? []).Select(t => $"{t.Key}={t.Value}").ToList();
}
