using System.Collections.Immutable;

namespace OrleansEc2.Grains.Tests.Buckets;

/// <summary>The bucket grain decides a write's If-None-Match / If-Match when it commits the write, and refuses one that fails without a trace.</summary>
[Collection(ClusterCollection.Name)]
public sealed class ConditionalWriteTests(ClusterFixture fixture)
{
    private const int FiveMiB = 5 * 1024 * 1024;

    private static readonly ObjectWriteCondition IfNoneMatch = new(null, IfNoneMatch: true);

    private readonly BucketTestKit _kit = new(fixture);

    [Fact]
    public async Task Put_IfNoneMatch_CreatesAKeyThatDoesNotExist()
    {
        var bucket = await _kit.CreateBucketAsync();

        var put = await PutAsync(bucket, "new", [1, 2, 3], IfNoneMatch);

        (await bucket.GetObjectAsync(BucketTestKit.Alice, "new")).ETag.Should().Be(put.ETag);
    }

    [Fact]
    public async Task Put_IfNoneMatch_OnAKeyThatExists_FailsWithPreconditionFailed_AndLeavesNoTrace()
    {
        var bucket = await _kit.CreateBucketAsync();
        var existing = await _kit.PutObjectAsync(bucket, "k", [1]);
        var refusedBlob = await _kit.PutBlobAsync([9, 9]);

        var failure = await BucketTestKit.ShouldFailWithAsync(
            () => bucket.PutObjectAsync(BucketTestKit.Alice, Request("k", refusedBlob, IfNoneMatch)),
            Ec2ErrorCodes.PreconditionFailed);

        failure.Message.Should().Be("At least one of the pre-conditions you specified did not hold");
        (await bucket.GetObjectAsync(BucketTestKit.Alice, "k")).Should().BeEquivalentTo(existing);
        (await _kit.HoldersOfAsync(refusedBlob)).Should().NotContain($"object:{bucket.GetPrimaryKeyString()}/k");
    }

    [Theory]
    [InlineData("{0}")]
    [InlineData("\"{0}\"")]
    [InlineData("\"0123456789abcdef0123456789abcdef\", \"{0}\"")]
    [InlineData("*")]
    public async Task Put_IfMatch_TheCurrentObject_Overwrites(string ifMatch)
    {
        var bucket = await _kit.CreateBucketAsync();
        var existing = await _kit.PutObjectAsync(bucket, "k", [1]);

        var put = await PutAsync(bucket, "k", [2], new ObjectWriteCondition(string.Format(System.Globalization.CultureInfo.InvariantCulture, ifMatch, existing.ETag), false));

        (await bucket.GetObjectAsync(BucketTestKit.Alice, "k")).ETag.Should().Be(put.ETag).And.NotBe(existing.ETag);
    }

    [Fact]
    public async Task Put_IfMatch_AnotherETag_FailsWithPreconditionFailed_AndKeepsTheObject()
    {
        var bucket = await _kit.CreateBucketAsync();
        var existing = await _kit.PutObjectAsync(bucket, "k", [1]);

        await BucketTestKit.ShouldFailWithAsync(
            () => PutAsync(bucket, "k", [2], new ObjectWriteCondition("\"0123456789abcdef0123456789abcdef\"", false)),
            Ec2ErrorCodes.PreconditionFailed);

        (await bucket.GetObjectAsync(BucketTestKit.Alice, "k")).Should().BeEquivalentTo(existing);
    }

    [Theory]
    [InlineData("*")]
    [InlineData("\"d41d8cd98f00b204e9800998ecf8427e\"")]
    public async Task Put_IfMatch_OnAKeyThatDoesNotExist_FailsWithNoSuchKey_AndStoresNothing(string ifMatch)
    {
        var bucket = await _kit.CreateBucketAsync();

        await BucketTestKit.ShouldFailWithAsync(() => PutAsync(bucket, "absent", [], new ObjectWriteCondition(ifMatch, false)), Ec2ErrorCodes.NoSuchKey);

        (await bucket.ListObjectsAsync(BucketTestKit.Alice, new ListObjectsQuery(null, null, 1000, null))).Objects.Should().BeEmpty();
    }

    [Fact]
    public async Task Put_AConditionCheckedBefore_ThatFailsAtTheWrite_IsAConflict()
    {
        var bucket = await _kit.CreateBucketAsync();
        var condition = IfNoneMatch with { CheckedBefore = true };
        await bucket.CheckWriteConditionAsync(BucketTestKit.Alice, "k", condition);
        var intervening = await _kit.PutObjectAsync(bucket, "k", [7]);

        var failure = await BucketTestKit.ShouldFailWithAsync(() => PutAsync(bucket, "k", [8], condition), Ec2ErrorCodes.ConditionalRequestConflict);

        failure.Message.Should().StartWith("A conflicting operation occurred.");
        (await bucket.GetObjectAsync(BucketTestKit.Alice, "k")).Should().BeEquivalentTo(intervening);
    }

    [Fact]
    public async Task CheckWriteCondition_AnswersWhatTheKeyIsNow_AndChangesNothing()
    {
        var bucket = await _kit.CreateBucketAsync();
        var existing = await _kit.PutObjectAsync(bucket, "k", [1]);

        await bucket.CheckWriteConditionAsync(BucketTestKit.Alice, "other", IfNoneMatch);
        await bucket.CheckWriteConditionAsync(BucketTestKit.Alice, "k", new ObjectWriteCondition(existing.ETag, false));
        await BucketTestKit.ShouldFailWithAsync(() => bucket.CheckWriteConditionAsync(BucketTestKit.Alice, "k", IfNoneMatch), Ec2ErrorCodes.PreconditionFailed);
        await BucketTestKit.ShouldFailWithAsync(() => bucket.CheckWriteConditionAsync(BucketTestKit.Alice, "other", new ObjectWriteCondition("*", false)), Ec2ErrorCodes.NoSuchKey);

        (await bucket.ListObjectsAsync(BucketTestKit.Alice, new ListObjectsQuery(null, null, 1000, null))).Objects.Should().ContainSingle().Which.Should().BeEquivalentTo(existing);
    }

    [Fact]
    public async Task Complete_IfNoneMatch_OnAKeyThatExists_FailsWithPreconditionFailed_AndTheUploadStays()
    {
        var bucket = await _kit.CreateBucketAsync();
        var existing = await _kit.PutObjectAsync(bucket, "k", [1]);
        var (upload, parts) = await UploadAsync(bucket, "k");

        await BucketTestKit.ShouldFailWithAsync(
            () => bucket.CompleteMultipartUploadAsync(BucketTestKit.Alice, "k", upload.UploadId, parts, condition: IfNoneMatch),
            Ec2ErrorCodes.PreconditionFailed);

        (await bucket.GetObjectAsync(BucketTestKit.Alice, "k")).Should().BeEquivalentTo(existing);
        (await bucket.ListPartsAsync(BucketTestKit.Alice, "k", upload.UploadId)).Select(p => p.PartNumber).Should().Equal(1, 2);
        var completed = await bucket.CompleteMultipartUploadAsync(BucketTestKit.Alice, "k", upload.UploadId, parts);
        completed.PartsCount.Should().Be(2);
    }

    [Fact]
    public async Task Complete_IfMatch_TheCurrentObject_ReplacesIt()
    {
        var bucket = await _kit.CreateBucketAsync();
        var existing = await _kit.PutObjectAsync(bucket, "k", [1]);
        var (upload, parts) = await UploadAsync(bucket, "k");

        var completed = await bucket.CompleteMultipartUploadAsync(BucketTestKit.Alice, "k", upload.UploadId, parts, condition: new ObjectWriteCondition($"\"{existing.ETag}\"", false));

        (await bucket.GetObjectAsync(BucketTestKit.Alice, "k")).ETag.Should().Be(completed.ETag).And.EndWith("-2");
    }

    [Fact]
    public async Task Complete_IfMatch_OnAKeyThatDoesNotExist_FailsWithNoSuchKey_AndTheUploadStays()
    {
        var bucket = await _kit.CreateBucketAsync();
        var (upload, parts) = await UploadAsync(bucket, "k");

        await BucketTestKit.ShouldFailWithAsync(
            () => bucket.CompleteMultipartUploadAsync(BucketTestKit.Alice, "k", upload.UploadId, parts, condition: new ObjectWriteCondition("*", false)),
            Ec2ErrorCodes.NoSuchKey);

        (await bucket.ListMultipartUploadsAsync(BucketTestKit.Alice, null)).Should().ContainSingle().Which.UploadId.Should().Be(upload.UploadId);
        (await bucket.ListObjectsAsync(BucketTestKit.Alice, new ListObjectsQuery(null, null, 1000, null))).Objects.Should().BeEmpty();
    }

    [Fact]
    public async Task AConditionalWrite_SurvivesADeactivation_AsTheKeyItFound()
    {
        var bucket = await _kit.CreateBucketAsync();
        await PutAsync(bucket, "k", [1], IfNoneMatch);

        await _kit.DeactivateAllAsync();

        await BucketTestKit.ShouldFailWithAsync(() => PutAsync(bucket, "k", [2], IfNoneMatch), Ec2ErrorCodes.PreconditionFailed);
    }

    private static PutObjectRequest Request(string key, BlobInfo blob, ObjectWriteCondition condition) =>
        new(key, blob, "text/plain", ImmutableDictionary<string, string>.Empty, null, Condition: condition);

    private async Task<S3ObjectInfo> PutAsync(IBucketGrain bucket, string key, byte[] bytes, ObjectWriteCondition condition) =>
        await bucket.PutObjectAsync(BucketTestKit.Alice, Request(key, await _kit.PutBlobAsync(bytes), condition));

    private async Task<(MultipartUploadInfo Upload, ImmutableArray<CompletedPart> Parts)> UploadAsync(IBucketGrain bucket, string key)
    {
        var upload = await bucket.CreateMultipartUploadAsync(BucketTestKit.Alice, key, "application/octet-stream", ImmutableDictionary<string, string>.Empty, null);
        var one = await bucket.UploadPartAsync(BucketTestKit.Alice, key, upload.UploadId, 1, await _kit.PutBlobAsync(BucketTestKit.Bytes(FiveMiB, seed: 601)), null);
        var two = await bucket.UploadPartAsync(BucketTestKit.Alice, key, upload.UploadId, 2, await _kit.PutBlobAsync([6, 0, 2]), null);
        return (upload, [new CompletedPart(1, one.ETag), new CompletedPart(2, two.ETag)]);
    }
}
