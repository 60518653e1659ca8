using System.Collections.Immutable;

namespace OrleansEc2.Grains.Tests.Buckets;

[Collection(ClusterCollection.Name)]
public sealed class BucketLifecycleTests(ClusterFixture fixture)
{
    private readonly BucketTestKit _kit = new(fixture);

    [Fact]
    public async Task Create_RecordsOwnerRegionAndTheSimulationClocksDate()
    {
        var name = BucketTestKit.NewBucketName();

        var info = await _kit.Bucket(name).CreateAsync(BucketTestKit.Alice, BucketTestKit.EuWest1);

        info.Should().Be(new BucketInfo(name, BucketTestKit.Alice, BucketTestKit.EuWest1, fixture.Time.GetUtcNow()));
        (await _kit.Bucket(name).GetInfoAsync(BucketTestKit.Alice)).Should().Be(info);
    }

    [Fact]
    public async Task Create_ANameAnotherAccountOwns_FailsWithBucketAlreadyExists()
    {
        var bucket = await _kit.CreateBucketAsync(BucketTestKit.Alice);

        await BucketTestKit.ShouldFailWithAsync(() => bucket.CreateAsync(BucketTestKit.Bob, BucketTestKit.UsEast1), Ec2ErrorCodes.BucketAlreadyExists);
    }

    [Fact]
    public async Task Create_AgainByItsOwnerInUsEast1_SucceedsWithTheOriginalBucket()
    {
        var bucket = await _kit.CreateBucketAsync(BucketTestKit.Alice, BucketTestKit.UsEast1);
        var original = await bucket.GetInfoAsync(BucketTestKit.Alice);
        fixture.Time.Advance(TimeSpan.FromMinutes(5));

        var again = await bucket.CreateAsync(BucketTestKit.Alice, BucketTestKit.UsEast1);

        again.Should().Be(original);
    }

    [Fact]
    public async Task Create_AgainByItsOwnerOutsideUsEast1_FailsWithBucketAlreadyOwnedByYou()
    {
        var bucket = await _kit.CreateBucketAsync(BucketTestKit.Alice, BucketTestKit.EuWest1);

        await BucketTestKit.ShouldFailWithAsync(() => bucket.CreateAsync(BucketTestKit.Alice, BucketTestKit.EuWest1), Ec2ErrorCodes.BucketAlreadyOwnedByYou);
    }

    [Theory]
    [InlineData(BucketTestKit.UsEast1, BucketTestKit.EuWest1)]
    [InlineData(BucketTestKit.EuWest1, BucketTestKit.UsEast1)]
    public async Task Create_AnExistingBucketInAnotherRegion_FailsWithBucketAlreadyOwnedByYou_AndKeepsItsRegion(string existingRegion, string requestedRegion)
    {
        var bucket = await _kit.CreateBucketAsync(BucketTestKit.Alice, existingRegion);

        await BucketTestKit.ShouldFailWithAsync(() => bucket.CreateAsync(BucketTestKit.Alice, requestedRegion), Ec2ErrorCodes.BucketAlreadyOwnedByYou);
        (await bucket.GetInfoAsync(BucketTestKit.Alice)).Region.Should().Be(existingRegion);
    }

    [Theory]
    [InlineData("ab")]
    [InlineData("Upper-Case")]
    [InlineData("under_score")]
    [InlineData("10.0.0.1")]
    [InlineData("xn--punycode")]
    [InlineData("name-s3alias")]
    public async Task Create_WithANameOutsideS3sRule_FailsWithInvalidBucketName_AndCreatesNothing(string name)
    {
        var bucket = _kit.Bucket(name);

        await BucketTestKit.ShouldFailWithAsync(() => bucket.CreateAsync(BucketTestKit.Alice, BucketTestKit.UsEast1), Ec2ErrorCodes.InvalidBucketName);
        (await bucket.FindAsync()).Should().BeNull();
    }

    [Fact]
    public async Task CreateWithLegacyName_AcceptsUppercaseAndUnderscores_ThatS3sRuleRefuses()
    {
        var name = $"Bundle_{Guid.NewGuid():N}";

        var info = await _kit.Bucket(name).CreateWithLegacyNameAsync(BucketTestKit.Alice, BucketTestKit.UsEast1);

        info.Name.Should().Be(name);
        info.OwnerId.Should().Be(BucketTestKit.Alice);
    }

    [Fact]
    public async Task CreateWithLegacyName_ANameOutsideTheLegacyRule_FailsWithInvalidBucketName()
    {
        var bucket = _kit.Bucket($"bad/{Guid.NewGuid():N}");

        await BucketTestKit.ShouldFailWithAsync(() => bucket.CreateWithLegacyNameAsync(BucketTestKit.Alice, BucketTestKit.UsEast1), Ec2ErrorCodes.InvalidBucketName);
    }

    [Fact]
    public async Task CreateWithLegacyName_ANameAnotherAccountOwns_FailsWithBucketAlreadyExists()
    {
        var bucket = await _kit.CreateBucketAsync(BucketTestKit.Bob);

        await BucketTestKit.ShouldFailWithAsync(() => bucket.CreateWithLegacyNameAsync(BucketTestKit.Alice, BucketTestKit.UsEast1), Ec2ErrorCodes.BucketAlreadyExists);
    }

    [Fact]
    public async Task Find_AnswersWhoOwnsABucket_WithoutAnAccessCheck_AndNullForAMissingOne()
    {
        var bucket = await _kit.CreateBucketAsync(BucketTestKit.Alice);

        (await bucket.FindAsync())!.OwnerId.Should().Be(BucketTestKit.Alice);
        (await _kit.Bucket(BucketTestKit.NewBucketName()).FindAsync()).Should().BeNull();
    }

    [Fact]
    public async Task CreateAndDelete_KeepTheOwnersBucketListCurrent()
    {
        var kept = await _kit.CreateBucketAsync(BucketTestKit.Alice, BucketTestKit.UsEast1);
        var deleted = await _kit.CreateBucketAsync(BucketTestKit.Alice, BucketTestKit.EuWest1);
        var keptInfo = await kept.GetInfoAsync(BucketTestKit.Alice);
        var deletedName = deleted.GetPrimaryKeyString();

        var beforeDelete = await _kit.AccountBuckets(BucketTestKit.Alice).ListAsync();
        await deleted.DeleteAsync(BucketTestKit.Alice);
        var afterDelete = await _kit.AccountBuckets(BucketTestKit.Alice).ListAsync();

        beforeDelete.Select(b => b.Name).Should().Contain([keptInfo.Name, deletedName]);
        afterDelete.Should().Contain(keptInfo);
        afterDelete.Select(b => b.Name).Should().NotContain(deletedName);
        afterDelete.Select(b => b.Name).Should().BeInAscendingOrder(StringComparer.Ordinal);
        (await _kit.AccountBuckets(BucketTestKit.Bob).ListAsync()).Select(b => b.Name).Should().NotContain(keptInfo.Name);
    }

    [Fact]
    public async Task Delete_ABucketWithObjects_FailsWithBucketNotEmpty()
    {
        var bucket = await _kit.CreateBucketAsync();
        await _kit.PutObjectsAsync(bucket, "a");

        await BucketTestKit.ShouldFailWithAsync(() => bucket.DeleteAsync(BucketTestKit.Alice), Ec2ErrorCodes.BucketNotEmpty);
        (await bucket.FindAsync()).Should().NotBeNull();
    }

    [Fact]
    public async Task Delete_ABucketEmptiedOfItsObjects_Succeeds_AndTheNameIsFreeForAnyone()
    {
        var bucket = await _kit.CreateBucketAsync(BucketTestKit.Alice);
        await _kit.PutObjectsAsync(bucket, "a");
        await bucket.DeleteObjectAsync(BucketTestKit.Alice, "a");

        await bucket.DeleteAsync(BucketTestKit.Alice);
        var recreated = await bucket.CreateAsync(BucketTestKit.Bob, BucketTestKit.EuWest1);

        recreated.OwnerId.Should().Be(BucketTestKit.Bob);
        (await bucket.ListObjectsAsync(BucketTestKit.Bob, new ListObjectsQuery(null, null, 1000, null))).Objects.Should().BeEmpty();
    }

    [Fact]
    public async Task Delete_WithAMultipartUploadInProgress_Succeeds_AndDropsTheUploadsParts()
    {
        var bucket = await _kit.CreateBucketAsync();
        var upload = await bucket.CreateMultipartUploadAsync(BucketTestKit.Alice, "big", "application/octet-stream", ImmutableDictionary<string, string>.Empty, null);
        var blob = await _kit.PutBlobAsync(BucketTestKit.Bytes(1000, seed: 301));
        await bucket.UploadPartAsync(BucketTestKit.Alice, "big", upload.UploadId, 1, blob, null);

        await bucket.DeleteAsync(BucketTestKit.Alice);

        (await bucket.FindAsync()).Should().BeNull();
        (await _kit.HoldersOfAsync(blob)).Should().NotContain(h => h.StartsWith($"part:{bucket.GetPrimaryKeyString()}/", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Delete_AMissingBucket_FailsWithNoSuchBucket()
    {
        await BucketTestKit.ShouldFailWithAsync(() => _kit.Bucket(BucketTestKit.NewBucketName()).DeleteAsync(BucketTestKit.Alice), Ec2ErrorCodes.NoSuchBucket);
    }

    [Fact]
    public async Task ABucket_SurvivesReactivation_WithItsObjectsAndUploads()
    {
        var bucket = await _kit.CreateBucketAsync(BucketTestKit.Alice, BucketTestKit.EuWest1);
        var info = await bucket.GetInfoAsync(BucketTestKit.Alice);
        await _kit.PutObjectsAsync(bucket, "b", "a", "c/d");
        var upload = await bucket.CreateMultipartUploadAsync(BucketTestKit.Alice, "u", "text/plain", ImmutableDictionary<string, string>.Empty, null);

        await _kit.DeactivateAllAsync();

        (await bucket.GetInfoAsync(BucketTestKit.Alice)).Should().Be(info);
        var listing = await bucket.ListObjectsAsync(BucketTestKit.Alice, new ListObjectsQuery(null, null, 1000, null));
        listing.Objects.Select(o => o.Key).Should().Equal("a", "b", "c/d");
        (await bucket.ListMultipartUploadsAsync(BucketTestKit.Alice, null)).Should().Equal(upload);
        (await _kit.AccountBuckets(BucketTestKit.Alice).ListAsync()).Should().Contain(info);
    }
}
