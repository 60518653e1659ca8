using System.Net;
using System.Xml.Linq;
using Amazon.S3;
using Amazon.S3.Model;
using OrleansEc2.Api.Tests.Infrastructure;
using static OrleansEc2.Api.Tests.S3.S3TestKit;

namespace OrleansEc2.Api.Tests.S3;

[Collection(ApiSiloCollection.Name)]
public sealed class ListingTests(ApiSiloFixture silo)
{
    private static readonly string[] Keys =
    [
        "a.txt",
        "photos/2008/jan/1.jpg",
        "photos/2008/jan/2.jpg",
        "photos/2008/feb/1.jpg",
        "photos/2009/1.jpg",
        "photos/index.html",
        "z.txt",
    ];

    [Fact]
    public async Task ListObjectVersions_OfABucketNeverVersioned_EachObjectIsItsNullVersion_PagedByKeyMarker()
    {
        using var s3 = silo.Alices3();
        var bucket = await BucketWithKeysAsync(s3);
        var sorted = Keys.Order(StringComparer.Ordinal).ToArray();

        var first = await s3.ListVersionsAsync(new ListVersionsRequest { BucketName = bucket, MaxKeys = 4 });
        var rest = await s3.ListVersionsAsync(new ListVersionsRequest { BucketName = bucket, MaxKeys = 4, KeyMarker = first.NextKeyMarker, VersionIdMarker = first.NextVersionIdMarker });
        var rolled = await s3.ListVersionsAsync(new ListVersionsRequest { BucketName = bucket, Prefix = "photos/", Delimiter = "/" });
        await s3.DeleteObjectAsync(new DeleteObjectRequest { BucketName = bucket, Key = "a.txt", VersionId = "null" });
        var afterDelete = await s3.ListVersionsAsync(new ListVersionsRequest { BucketName = bucket });

        first.Versions.Select(v => v.Key).Should().Equal(sorted[..4]);
        first.IsTruncated.Should().BeTrue();
        first.NextKeyMarker.Should().Be(sorted[3]);
        first.NextVersionIdMarker.Should().Be("null");
        rest.Versions.Select(v => v.Key).Should().Equal(sorted[4..]);
        rest.IsTruncated.Should().BeFalse();
        first.Versions.Concat(rest.Versions).Should().OnlyContain(v => v.VersionId == "null" && v.IsLatest == true && v.Size > 0 && v.Owner.Id == ApiSiloFixture.Alice);
        rolled.Versions.Select(v => v.Key).Should().Equal("photos/index.html");
        rolled.CommonPrefixes.Should().Equal("photos/2008/", "photos/2009/");
        afterDelete.Versions.Select(v => v.Key).Should().Equal(sorted[1..], "deleting the null version deletes the object");
    }

    [Fact]
    public async Task ListObjectsV2_Delimiter_RollsKeysUpIntoCommonPrefixes()
    {
        using var s3 = silo.Alices3();
        var bucket = await BucketWithKeysAsync(s3);

        var top = await s3.ListObjectsV2Async(new ListObjectsV2Request { BucketName = bucket, Delimiter = "/" });
        var photos = await s3.ListObjectsV2Async(new ListObjectsV2Request { BucketName = bucket, Prefix = "photos/", Delimiter = "/" });

        top.S3Objects.Select(o => o.Key).Should().Equal("a.txt", "z.txt");
        top.CommonPrefixes.Should().Equal("photos/");
        top.KeyCount.Should().Be(3);
        photos.S3Objects.Select(o => o.Key).Should().Equal("photos/index.html");
        photos.CommonPrefixes.Should().Equal("photos/2008/", "photos/2009/");
        photos.Prefix.Should().Be("photos/");
    }

    [Fact]
    public async Task ListObjectsV2_MaxKeys_PagesWithContinuationTokensUntilTheEnd()
    {
        using var s3 = silo.Alices3();
        var bucket = await BucketWithKeysAsync(s3);
        var seen = new List<string>();
        string? token = null;
        var pages = 0;

        do
        {
            var page = await s3.ListObjectsV2Async(new ListObjectsV2Request { BucketName = bucket, MaxKeys = 3, ContinuationToken = token });
            seen.AddRange(page.S3Objects.Select(o => o.Key));
            token = page.IsTruncated == true ? page.NextContinuationToken : null;
            pages++;
        }
        while (token is not null);

        seen.Should().Equal(Keys.Order(StringComparer.Ordinal));
        pages.Should().Be(3);
    }

    [Fact]
    public async Task ListObjectsV2_StartAfter_SkipsThroughThatKey()
    {
        using var s3 = silo.Alices3();
        var bucket = await BucketWithKeysAsync(s3);

        var page = await s3.ListObjectsV2Async(new ListObjectsV2Request { BucketName = bucket, StartAfter = "photos/2009/1.jpg" });

        page.S3Objects.Select(o => o.Key).Should().Equal("photos/index.html", "z.txt");
        page.StartAfter.Should().Be("photos/2009/1.jpg");
    }

    [Fact]
    public async Task ListObjectsV2_FetchOwner_AddsTheOwnerOnlyWhenAsked()
    {
        using var s3 = silo.Alices3();
        var bucket = await BucketWithKeysAsync(s3);

        var without = await s3.ListObjectsV2Async(new ListObjectsV2Request { BucketName = bucket, MaxKeys = 1 });
        var with = await s3.ListObjectsV2Async(new ListObjectsV2Request { BucketName = bucket, MaxKeys = 1, FetchOwner = true });

        without.S3Objects.Single().Owner.Should().BeNull();
        with.S3Objects.Single().Owner.Should().BeEquivalentTo(new { Id = ApiSiloFixture.Alice, DisplayName = "alice" });
        with.S3Objects.Single().StorageClass.Value.Should().Be("STANDARD");
    }

    [Fact]
    public async Task ListObjectsV2_RawEncodingTypeUrl_PercentEncodesKeysAndPrefixes()
    {
        using var http = new HttpClient();
        using var s3 = silo.Alices3();
        var bucket = await CreateBucketAsync(s3);
        await PutAsync(s3, bucket, "dir one/a b", [1]);
        await PutAsync(s3, bucket, "x\u0001y", [1]);

        var response = await http.SendAsync(new S3RawRequest
        {
            Method = HttpMethod.Get,
            Uri = new Uri(silo.BaseUri, $"{bucket}?list-type=2&encoding-type=url&delimiter=%2F"),
        }.Build());
        var xml = XDocument.Parse(await response.Content.ReadAsStringAsync()).Root!;
        XNamespace ns = "http://s3.amazonaws.com/doc/2006-03-01/";

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        xml.Element(ns + "EncodingType")!.Value.Should().Be("url");
        xml.Elements(ns + "Contents").Select(c => c.Element(ns + "Key")!.Value).Should().Equal("x%01y");
        xml.Elements(ns + "CommonPrefixes").Select(c => c.Element(ns + "Prefix")!.Value).Should().Equal("dir%20one/");
    }

    [Fact]
    public async Task ListObjectsV2_UnknownEncodingType_FailsWithInvalidArgument()
    {
        using var http = new HttpClient();
        using var s3 = silo.Alices3();
        var bucket = await CreateBucketAsync(s3);

        var response = await http.SendAsync(new S3RawRequest { Method = HttpMethod.Get, Uri = new Uri(silo.BaseUri, $"{bucket}?list-type=2&encoding-type=base64") }.Build());

        response.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        (await ErrorOfAsync(response)).Code.Should().Be("InvalidArgument");
    }

    [Fact]
    public async Task ListObjectsV2_BadContinuationToken_FailsWithInvalidArgument()
    {
        using var s3 = silo.Alices3();
        var bucket = await CreateBucketAsync(s3);

        var error = await FailsAsync(() => s3.ListObjectsV2Async(new ListObjectsV2Request { BucketName = bucket, ContinuationToken = "!!not-a-token" }));

        error.ErrorCode.Should().Be("InvalidArgument");
    }

    [Fact]
    public async Task ListObjectsV2_NegativeMaxKeys_FailsWithInvalidArgument()
    {
        using var http = new HttpClient();
        using var s3 = silo.Alices3();
        var bucket = await CreateBucketAsync(s3);

        var response = await http.SendAsync(new S3RawRequest { Method = HttpMethod.Get, Uri = new Uri(silo.BaseUri, $"{bucket}?list-type=2&max-keys=-1") }.Build());

        (await ErrorOfAsync(response)).Code.Should().Be("InvalidArgument");
    }

    [Fact]
    public async Task ListObjects_V1Marker_PagesAndNamesNextMarkerOnlyWithADelimiter()
    {
        using var s3 = silo.Alices3();
        var bucket = await BucketWithKeysAsync(s3);

        var plain = await s3.ListObjectsAsync(new ListObjectsRequest { BucketName = bucket, MaxKeys = 2 });
        var afterMarker = await s3.ListObjectsAsync(new ListObjectsRequest { BucketName = bucket, MaxKeys = 2, Marker = plain.S3Objects[^1].Key });
        var rolledUp = await s3.ListObjectsAsync(new ListObjectsRequest { BucketName = bucket, MaxKeys = 2, Delimiter = "/" });
        var rolledUpNext = await s3.ListObjectsAsync(new ListObjectsRequest { BucketName = bucket, MaxKeys = 2, Delimiter = "/", Marker = rolledUp.NextMarker });

        plain.S3Objects.Select(o => o.Key).Should().Equal("a.txt", "photos/2008/feb/1.jpg");
        plain.IsTruncated.Should().BeTrue();
        plain.S3Objects[0].Owner.Id.Should().Be(ApiSiloFixture.Alice);
        afterMarker.S3Objects.Select(o => o.Key).Should().Equal("photos/2008/jan/1.jpg", "photos/2008/jan/2.jpg");
        rolledUp.S3Objects.Select(o => o.Key).Should().Equal("a.txt");
        rolledUp.CommonPrefixes.Should().Equal("photos/");
        rolledUp.NextMarker.Should().Be("photos/");
        rolledUpNext.S3Objects.Select(o => o.Key).Should().Equal("z.txt");
        rolledUpNext.IsTruncated.Should().BeFalse();
    }

    [Fact]
    public async Task ListObjects_V1Truncated_WithoutDelimiter_AnswersNoNextMarker()
    {
        using var http = new HttpClient();
        using var s3 = silo.Alices3();
        var bucket = await BucketWithKeysAsync(s3);

        var plain = await http.SendAsync(new S3RawRequest { Method = HttpMethod.Get, Uri = new Uri(silo.BaseUri, $"{bucket}?max-keys=2") }.Build());
        var rolledUp = await http.SendAsync(new S3RawRequest { Method = HttpMethod.Get, Uri = new Uri(silo.BaseUri, $"{bucket}?max-keys=2&delimiter=/") }.Build());
        XNamespace ns = "http://s3.amazonaws.com/doc/2006-03-01/";
        var plainXml = XDocument.Parse(await plain.Content.ReadAsStringAsync()).Root!;
        var rolledUpXml = XDocument.Parse(await rolledUp.Content.ReadAsStringAsync()).Root!;

        plainXml.Element(ns + "IsTruncated")!.Value.Should().Be("true");
        plainXml.Element(ns + "NextMarker").Should().BeNull();
        plainXml.Element(ns + "Marker")!.Value.Should().BeEmpty();
        rolledUpXml.Element(ns + "NextMarker")!.Value.Should().Be("photos/");
    }

    [Fact]
    public async Task ListObjects_MissingBucket_FailsWithNoSuchBucket()
    {
        using var s3 = silo.Alices3();

        var error = await FailsAsync(() => s3.ListObjectsV2Async(new ListObjectsV2Request { BucketName = UniqueBucket("missing") }));

        error.ErrorCode.Should().Be("NoSuchBucket");
    }

    private static async Task<string> BucketWithKeysAsync(IAmazonS3 s3)
    {
        var bucket = await CreateBucketAsync(s3, "list");
        foreach (var key in Keys)
        {
            await PutAsync(s3, bucket, key, [1]);
        }

        return bucket;
    }
}
