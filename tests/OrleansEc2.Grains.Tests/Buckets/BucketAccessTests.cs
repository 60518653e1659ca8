using System.Collections.Immutable;

namespace OrleansEc2.Grains.Tests.Buckets;

[Collection(ClusterCollection.Name)]
public sealed class BucketAccessTests(ClusterFixture fixture)
{
    private readonly BucketTestKit _kit = new(fixture);

    /// <summary>Every call on a bucket that names its caller, as (name, call).</summary>
    private static readonly IReadOnlyDictionary<string, Func<IBucketGrain, string, Target, Task>> Operations =
        new Dictionary<string, Func<IBucketGrain, string, Target, Task>>
        {
            ["GetInfo"] = (b, who, _) => b.GetInfoAsync(who),
            ["Delete"] = (b, who, _) => b.DeleteAsync(who),
            ["PutObject"] = (b, who, t) => b.PutObjectAsync(who, new PutObjectRequest("new-key", t.Blob, "text/plain", ImmutableDictionary<string, string>.Empty, null)),
            ["CheckWriteCondition"] = (b, who, _) => b.CheckWriteConditionAsync(who, "key", new ObjectWriteCondition(null, IfNoneMatch: true)),
            ["PutObjectTagging"] = (b, who, _) => b.PutObjectTaggingAsync(who, "key", [new Tag("by", "bob")]),
            ["PutObjectAcl"] = (b, who, _) => b.PutObjectAclAsync(who, "key", null),
            ["GetBucketTagging"] = (b, who, _) => b.GetBucketTaggingAsync(who),
            ["PutBucketTagging"] = (b, who, _) => b.PutBucketTaggingAsync(who, [new Tag("by", "bob")]),
            ["GetObject"] = (b, who, _) => b.GetObjectAsync(who, "key"),
            ["DeleteObject"] = (b, who, _) => b.DeleteObjectAsync(who, "key"),
            ["DeleteObjects"] = (b, who, _) => b.DeleteObjectsAsync(who, ["key"]),
            ["DeleteObjectsWithPrefix"] = (b, who, _) => b.DeleteObjectsWithPrefixAsync(who, "k"),
            ["ListObjects"] = (b, who, _) => b.ListObjectsAsync(who, new ListObjectsQuery(null, null, 1000, null)),
            ["CreateMultipartUpload"] = (b, who, _) => b.CreateMultipartUploadAsync(who, "key", "text/plain", ImmutableDictionary<string, string>.Empty, null),
            ["UploadPart"] = (b, who, t) => b.UploadPartAsync(who, "upload-key", t.UploadId, 2, t.Blob, null),
            ["CompleteMultipartUpload"] = (b, who, t) => b.CompleteMultipartUploadAsync(who, "upload-key", t.UploadId, [new CompletedPart(1, t.Blob.Md5Hex)]),
            ["AbortMultipartUpload"] = (b, who, t) => b.AbortMultipartUploadAsync(who, "upload-key", t.UploadId),
            ["ListParts"] = (b, who, t) => b.ListPartsAsync(who, "upload-key", t.UploadId),
            ["ListMultipartUploads"] = (b, who, _) => b.ListMultipartUploadsAsync(who, null),
        };

    public static TheoryData<string> OperationNames => [.. Operations.Keys];

    [Theory]
    [MemberData(nameof(OperationNames))]
    public async Task AnotherAccount_IsRefusedEveryOperation_WithAccessDenied_AndChangesNothing(string operation)
    {
        var (bucket, target) = await AliceBucketWithAnObjectAndAnUploadAsync();
        var before = await SnapshotAsync(bucket);

        await BucketTestKit.ShouldFailWithAsync(() => Operations[operation](bucket, BucketTestKit.Bob, target), Ec2ErrorCodes.AccessDenied);

        (await SnapshotAsync(bucket)).Should().BeEquivalentTo(before);
    }

    [Theory]
    [MemberData(nameof(OperationNames))]
    public async Task AMissingBucket_FailsEveryOperation_WithNoSuchBucket(string operation)
    {
        var bucket = _kit.Bucket(BucketTestKit.NewBucketName());
        var target = new Target(await _kit.PutBlobAsync([7, 7, 7]), "some-upload");

        await BucketTestKit.ShouldFailWithAsync(() => Operations[operation](bucket, BucketTestKit.Alice, target), Ec2ErrorCodes.NoSuchBucket);
        (await bucket.FindAsync()).Should().BeNull();
    }

    [Fact]
    public void EveryCallerNamingMethodOfTheContract_IsCovered()
    {
        var callerNaming = typeof(IBucketGrain).GetMethods()
            .Where(m => m.GetParameters().FirstOrDefault()?.Name == "accountId")
            .Select(m => m.Name.Replace("Async", "", StringComparison.Ordinal))
            .Except(["Create", "CreateWithLegacyName"]);

        Operations.Keys.Should().BeEquivalentTo(callerNaming);
    }

    private async Task<(IBucketGrain Bucket, Target Target)> AliceBucketWithAnObjectAndAnUploadAsync()
    {
        var bucket = await _kit.CreateBucketAsync(BucketTestKit.Alice);
        var blob = await _kit.PutBlobAsync(BucketTestKit.Bytes(64, seed: 501));
        await bucket.PutObjectAsync(
            BucketTestKit.Alice,
            new PutObjectRequest("key", blob, "text/plain", ImmutableDictionary<string, string>.Empty, null, [new Tag("by", "alice")], CannedAcl: ObjectCannedAcls.AwsExecRead));
        await bucket.PutBucketTaggingAsync(BucketTestKit.Alice, [new Tag("owner", "alice")]);
        var upload = await bucket.CreateMultipartUploadAsync(BucketTestKit.Alice, "upload-key", "text/plain", ImmutableDictionary<string, string>.Empty, null);
        await bucket.UploadPartAsync(BucketTestKit.Alice, "upload-key", upload.UploadId, 1, blob, null);
        return (bucket, new Target(blob, upload.UploadId));
    }

    private static async Task<object> SnapshotAsync(IBucketGrain bucket)
    {
        var uploads = await bucket.ListMultipartUploadsAsync(BucketTestKit.Alice, null);
        return new
        {
            Info = await bucket.GetInfoAsync(BucketTestKit.Alice),
            Objects = (await bucket.ListObjectsAsync(BucketTestKit.Alice, new ListObjectsQuery(null, null, 1000, null))).Objects,
            Uploads = uploads,
            Tags = await bucket.GetBucketTaggingAsync(BucketTestKit.Alice),
            Parts = await bucket.ListPartsAsync(BucketTestKit.Alice, "upload-key", uploads.Single().UploadId),
        };
    }

    private sealed record Target(BlobInfo Blob, string UploadId);
}
