namespace OrleansEc2.Grains.Tests.Buckets;

[Collection(ClusterCollection.Name)]
public sealed class ListObjectsTests(ClusterFixture fixture)
{
    private readonly BucketTestKit _kit = new(fixture);

    [Fact]
    public async Task List_ReturnsKeysInUtf8BinaryOrder()
    {
        var bucket = await _kit.CreateBucketAsync();

        // Ordinal UTF-16 order would put the emoji (a surrogate pair) before U+FF21; UTF-8 byte order puts it after.
        await _kit.PutObjectsAsync(bucket, "b", "a", "B", "\uFF21", "😀", "é", "a/b", "a-b", "ab");
        var listing = await List(bucket, maxKeys: 1000);

        listing.Objects.Select(o => o.Key).Should().Equal("B", "a", "a-b", "a/b", "ab", "b", "é", "\uFF21", "😀");
        listing.CommonPrefixes.Should().BeEmpty();
        listing.IsTruncated.Should().BeFalse();
        listing.NextStartAfter.Should().BeNull();
    }

    [Fact]
    public async Task List_WithAPrefix_ReturnsOnlyKeysStartingWithIt()
    {
        var bucket = await _kit.CreateBucketAsync();
        await _kit.PutObjectsAsync(bucket, "photos/2006/a.jpg", "photos/2007/b.jpg", "photosx", "music/c.mp3", "photo");

        var listing = await List(bucket, prefix: "photos/", maxKeys: 1000);

        listing.Objects.Select(o => o.Key).Should().Equal("photos/2006/a.jpg", "photos/2007/b.jpg");
    }

    [Fact]
    public async Task List_WithADelimiter_RollsKeysUpIntoCommonPrefixes()
    {
        var bucket = await _kit.CreateBucketAsync();
        await _kit.PutObjectsAsync(bucket, "photos/2006/a.jpg", "photos/2006/b.jpg", "photos/2007/c.jpg", "photos/index.html", "readme", "zeta/x");

        var top = await List(bucket, delimiter: "/", maxKeys: 1000);
        var photos = await List(bucket, prefix: "photos/", delimiter: "/", maxKeys: 1000);

        top.Objects.Select(o => o.Key).Should().Equal("readme");
        top.CommonPrefixes.Should().Equal("photos/", "zeta/");
        photos.Objects.Select(o => o.Key).Should().Equal("photos/index.html");
        photos.CommonPrefixes.Should().Equal("photos/2006/", "photos/2007/");
    }

    [Fact]
    public async Task List_WithAMultiCharacterDelimiter_RollsUpAtIt()
    {
        var bucket = await _kit.CreateBucketAsync();
        await _kit.PutObjectsAsync(bucket, "a--b--c", "a--d", "a-e");

        var listing = await List(bucket, delimiter: "--", maxKeys: 1000);

        listing.Objects.Select(o => o.Key).Should().Equal("a-e");
        listing.CommonPrefixes.Should().Equal("a--");
    }

    [Fact]
    public async Task List_WithMaxKeys_PagesThroughEveryKeyOnce()
    {
        var bucket = await _kit.CreateBucketAsync();
        var keys = Enumerable.Range(0, 7).Select(i => $"key-{i:00}").ToArray();
        await _kit.PutObjectsAsync(bucket, keys);

        var first = await List(bucket, maxKeys: 3);
        var second = await List(bucket, maxKeys: 3, startAfter: first.NextStartAfter);
        var third = await List(bucket, maxKeys: 3, startAfter: second.NextStartAfter);

        first.Objects.Select(o => o.Key).Should().Equal("key-00", "key-01", "key-02");
        first.IsTruncated.Should().BeTrue();
        first.NextStartAfter.Should().Be("key-02");
        second.Objects.Select(o => o.Key).Should().Equal("key-03", "key-04", "key-05");
        second.IsTruncated.Should().BeTrue();
        second.NextStartAfter.Should().Be("key-05");
        third.Objects.Select(o => o.Key).Should().Equal("key-06");
        third.IsTruncated.Should().BeFalse();
        third.NextStartAfter.Should().BeNull();
    }

    [Fact]
    public async Task List_WhenMaxKeysEqualsWhatRemains_IsNotTruncated()
    {
        var bucket = await _kit.CreateBucketAsync();
        await _kit.PutObjectsAsync(bucket, "a", "b");

        var listing = await List(bucket, maxKeys: 2);

        listing.Objects.Should().HaveCount(2);
        listing.IsTruncated.Should().BeFalse();
    }

    [Fact]
    public async Task List_PagingWithADelimiter_CountsCommonPrefixes_AndSkipsAGroupAlreadyReturned()
    {
        var bucket = await _kit.CreateBucketAsync();
        await _kit.PutObjectsAsync(bucket, "asdf", "boo/bar", "boo/baz/xyzzy", "cquux/thud", "cquux/bla");

        var first = await List(bucket, delimiter: "/", maxKeys: 2);
        var second = await List(bucket, delimiter: "/", maxKeys: 2, startAfter: first.NextStartAfter);

        first.Objects.Select(o => o.Key).Should().Equal("asdf");
        first.CommonPrefixes.Should().Equal("boo/");
        first.IsTruncated.Should().BeTrue();
        first.NextStartAfter.Should().Be("boo/");
        second.Objects.Should().BeEmpty();
        second.CommonPrefixes.Should().Equal("cquux/");
        second.IsTruncated.Should().BeFalse();
    }

    [Fact]
    public async Task List_WhenTheLastGroupFillsThePage_IsNotTruncatedByMoreKeysOfThatGroup()
    {
        var bucket = await _kit.CreateBucketAsync();
        await _kit.PutObjectsAsync(bucket, "a", "dir/1", "dir/2", "dir/3");

        var listing = await List(bucket, delimiter: "/", maxKeys: 2);

        listing.Objects.Select(o => o.Key).Should().Equal("a");
        listing.CommonPrefixes.Should().Equal("dir/");
        listing.IsTruncated.Should().BeFalse();
    }

    [Fact]
    public async Task List_WithStartAfterBetweenKeys_StartsAfterIt()
    {
        var bucket = await _kit.CreateBucketAsync();
        await _kit.PutObjectsAsync(bucket, "a", "c", "e");

        var listing = await List(bucket, maxKeys: 1000, startAfter: "b");

        listing.Objects.Select(o => o.Key).Should().Equal("c", "e");
    }

    [Fact]
    public async Task List_WithMaxKeysZero_IsEmptyAndNotTruncated()
    {
        var bucket = await _kit.CreateBucketAsync();
        await _kit.PutObjectsAsync(bucket, "a", "b");

        var listing = await List(bucket, maxKeys: 0);

        listing.Objects.Should().BeEmpty();
        listing.CommonPrefixes.Should().BeEmpty();
        listing.IsTruncated.Should().BeFalse();
        listing.NextStartAfter.Should().BeNull();
    }

    [Fact]
    public async Task List_WithNegativeMaxKeys_FailsWithInvalidArgument()
    {
        var bucket = await _kit.CreateBucketAsync();

        await BucketTestKit.ShouldFailWithAsync(() => List(bucket, maxKeys: -1), Ec2ErrorCodes.InvalidArgument);
    }

    [Fact]
    public async Task List_ReturnsEachObjectsMetadata()
    {
        var bucket = await _kit.CreateBucketAsync();
        var put = await _kit.PutObjectAsync(bucket, "one", BucketTestKit.Bytes(10, seed: 201));

        var listing = await List(bucket, maxKeys: 1000);

        listing.Objects.Should().ContainSingle().Which.Should().BeEquivalentTo(put);
    }

    private static Task<ObjectListing> List(IBucketGrain bucket, int maxKeys, string? prefix = null, string? delimiter = null, string? startAfter = null) =>
        bucket.ListObjectsAsync(BucketTestKit.Alice, new ListObjectsQuery(prefix, delimiter, maxKeys, startAfter));
}
