using System.Collections.Immutable;

namespace OrleansEc2.Grains.Tests.Buckets;

/// <summary>An object's tags live with it: set by the write that makes it, replaced by PutObjectTagging, gone with the object.</summary>
[Collection(ClusterCollection.Name)]
public sealed class ObjectTaggingTests(ClusterFixture fixture)
{
    private static readonly ImmutableArray<Tag> Tags = [new("project", "blue"), new("Classification", "PHI"), new("empty", "")];

    private readonly BucketTestKit _kit = new(fixture);

    [Fact]
    public async Task Put_WithTags_StoresThemInTheirOrder_AndTheySurviveADeactivation()
    {
        var bucket = await _kit.CreateBucketAsync();

        var put = await PutAsync(bucket, "k", Tags);
        await _kit.DeactivateAllAsync();
        var got = await bucket.GetObjectAsync(BucketTestKit.Alice, "k");

        put.Tags.Should().Equal(Tags);
        got.Tags.Should().Equal(Tags);
        got.TagCount.Should().Be(3);
    }

    [Fact]
    public async Task Put_WithoutTags_ReplacesTheTagsOfTheObjectItOverwrites()
    {
        var bucket = await _kit.CreateBucketAsync();
        await PutAsync(bucket, "k", Tags);

        await PutAsync(bucket, "k", default);

        (await bucket.GetObjectAsync(BucketTestKit.Alice, "k")).Tags.Should().BeEmpty();
    }

    [Fact]
    public async Task DeleteThenPut_TheNewObjectHasNoTags()
    {
        var bucket = await _kit.CreateBucketAsync();
        await PutAsync(bucket, "k", Tags);

        await bucket.DeleteObjectAsync(BucketTestKit.Alice, "k");
        await PutAsync(bucket, "k", []);

        (await bucket.GetObjectAsync(BucketTestKit.Alice, "k")).TagCount.Should().Be(0);
    }

    [Fact]
    public async Task PutObjectTagging_ReplacesTheTags_AndLeavesTheBytesETagAndDateAlone()
    {
        var bucket = await _kit.CreateBucketAsync();
        var put = await PutAsync(bucket, "k", Tags);
        fixture.Time.Advance(TimeSpan.FromMinutes(5));

        await bucket.PutObjectTaggingAsync(BucketTestKit.Alice, "k", [new Tag("only", "one")]);
        await _kit.DeactivateAllAsync();
        var got = await bucket.GetObjectAsync(BucketTestKit.Alice, "k");

        got.Tags.Should().Equal(new Tag("only", "one"));
        got.Should().BeEquivalentTo(put, o => o.Excluding(i => i.Tags).Excluding(i => i.TagCount));
    }

    [Fact]
    public async Task PutObjectTagging_WithNoTags_RemovesThem()
    {
        var bucket = await _kit.CreateBucketAsync();
        await PutAsync(bucket, "k", Tags);

        await bucket.PutObjectTaggingAsync(BucketTestKit.Alice, "k", []);

        (await bucket.GetObjectAsync(BucketTestKit.Alice, "k")).Tags.Should().BeEmpty();
    }

    [Fact]
    public async Task PutObjectTagging_OfAKeyThatDoesNotExist_FailsWithNoSuchKey()
    {
        var bucket = await _kit.CreateBucketAsync();

        var failure = await BucketTestKit.ShouldFailWithAsync(() => bucket.PutObjectTaggingAsync(BucketTestKit.Alice, "absent", Tags), Ec2ErrorCodes.NoSuchKey);

        failure.Message.Should().Be("The specified key does not exist: absent.");
    }

    [Theory]
    [MemberData(nameof(BrokenTagSets))]
    public async Task Tags_BreakingS3sRules_AreRefusedByEveryWrite_AndStoreNothing(string name, ImmutableArray<Tag> tags, string code, string message)
    {
        var bucket = await _kit.CreateBucketAsync();
        var existing = await PutAsync(bucket, "k", Tags);
        var blob = await _kit.PutBlobAsync([4, 2]);

        var put = await BucketTestKit.ShouldFailWithAsync(() => bucket.PutObjectAsync(BucketTestKit.Alice, Request("k", blob, tags)), code);
        var tagging = await BucketTestKit.ShouldFailWithAsync(() => bucket.PutObjectTaggingAsync(BucketTestKit.Alice, "k", tags), code);
        var upload = await BucketTestKit.ShouldFailWithAsync(
            () => bucket.CreateMultipartUploadAsync(BucketTestKit.Alice, "k", "", ImmutableDictionary<string, string>.Empty, null, tags),
            code);

        new[] { put.Message, tagging.Message, upload.Message }.Should().AllBe(message, name);
        (await bucket.GetObjectAsync(BucketTestKit.Alice, "k")).Should().BeEquivalentTo(existing);
        (await bucket.ListMultipartUploadsAsync(BucketTestKit.Alice, null)).Should().BeEmpty();
    }

    public static TheoryData<string, ImmutableArray<Tag>, string, string> BrokenTagSets => new()
    {
        { "11 tags", [.. Enumerable.Range(0, 11).Select(i => new Tag($"key-{i}", ""))], "BadRequest", "Object tags cannot be greater than 10" },
        { "a key of 129 characters", [new(new string('k', 129), "v")], "InvalidTag", "The TagKey you have provided is invalid" },
        { "an empty key", [new("", "v")], "InvalidTag", "The TagKey you have provided is invalid" },
        { "a key with a comma", [new("a,b", "v")], "InvalidTag", "The TagKey you have provided is invalid" },
        { "a value of 257 characters", [new("k", new string('v', 257))], "InvalidTag", "The TagValue you have provided is invalid" },
        { "a value with an emoji", [new("k", "\U0001F600")], "InvalidTag", "The TagValue you have provided is invalid" },
        { "a value with a tab", [new("k", "a\tb")], "InvalidTag", "The TagValue you have provided is invalid" },
        { "two tags with one key", [new("a", "1"), new("a", "2")], "InvalidTag", "Cannot provide multiple Tags with the same key" },
        { "a key beginning aws:", [new("aws:cost", "1")], "InvalidTag", "Your TagKey cannot be prefixed with aws:" },
        { "a key beginning AWS:", [new("AWS:cost", "1")], "InvalidTag", "Your TagKey cannot be prefixed with aws:" },
    };

    [Fact]
    public async Task Tags_AtS3sLimits_AreStored()
    {
        var bucket = await _kit.CreateBucketAsync();
        ImmutableArray<Tag> tags =
        [
            .. Enumerable.Range(0, 7).Select(i => new Tag($"key-{i}", $"value-{i}")),
            new("b c+d-e=f.g_h:i/j@k", "2 + 2 = 4"),
            new("ünïcødé 文字 ٣", ""),
            new(new string('k', 128), new string('文', 256)),
        ];

        var put = await PutAsync(bucket, "k", tags);

        put.Tags.Should().Equal(tags);
    }

    [Fact]
    public async Task Complete_GivesTheObjectTheTagsOfItsUpload()
    {
        var bucket = await _kit.CreateBucketAsync();
        var upload = await bucket.CreateMultipartUploadAsync(BucketTestKit.Alice, "mp", "", ImmutableDictionary<string, string>.Empty, null, Tags);
        await _kit.DeactivateAllAsync();
        var part = await bucket.UploadPartAsync(BucketTestKit.Alice, "mp", upload.UploadId, 1, await _kit.PutBlobAsync([1, 2, 3]), null);

        var completed = await bucket.CompleteMultipartUploadAsync(BucketTestKit.Alice, "mp", upload.UploadId, [new CompletedPart(1, part.ETag)]);

        completed.Tags.Should().Equal(Tags);
        (await bucket.GetObjectAsync(BucketTestKit.Alice, "mp")).Tags.Should().Equal(Tags);
    }

    private static PutObjectRequest Request(string key, BlobInfo blob, ImmutableArray<Tag> tags) =>
        new(key, blob, "text/plain", ImmutableDictionary<string, string>.Empty, null, tags);

    private async Task<S3ObjectInfo> PutAsync(IBucketGrain bucket, string key, ImmutableArray<Tag> tags) =>
        await bucket.PutObjectAsync(BucketTestKit.Alice, Request(key, await _kit.PutBlobAsync([1, 2, 3]), tags));
}
