using System.Collections.Immutable;

namespace OrleansEc2.Grains.Tests.Buckets;

/// <summary>
/// An object records the EC2 read ACL it was written with: by PutObject, by the upload that completed it, or by
/// PutObjectAcl; a later write without one leaves the owner's alone. Nothing else is recorded.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class ObjectCannedAclTests(ClusterFixture fixture)
{
    private readonly BucketTestKit _kit = new(fixture);

    [Theory]
    [InlineData(ObjectCannedAcls.Ec2BundleRead)]
    [InlineData(ObjectCannedAcls.AwsExecRead)]
    public async Task Put_WithAnEc2ReadAcl_RecordsIt_AndItSurvivesADeactivation(string acl)
    {
        var bucket = await _kit.CreateBucketAsync();

        var put = await PutAsync(bucket, "k", acl);
        await _kit.DeactivateAllAsync();

        put.CannedAcl.Should().Be(acl);
        (await bucket.GetObjectAsync(BucketTestKit.Alice, "k")).CannedAcl.Should().Be(acl);
    }

    [Fact]
    public async Task Put_WithoutAnAcl_ReplacesTheAclOfTheObjectItOverwrites()
    {
        var bucket = await _kit.CreateBucketAsync();
        await PutAsync(bucket, "k", ObjectCannedAcls.AwsExecRead);

        await PutAsync(bucket, "k", null);

        (await bucket.GetObjectAsync(BucketTestKit.Alice, "k")).CannedAcl.Should().BeNull();
    }

    [Theory]
    [InlineData("private")]
    [InlineData("public-read")]
    [InlineData("garbage")]
    public async Task Writes_WithAnAclAnObjectDoesNotRecord_FailWithInvalidArgument_AndStoreNothing(string acl)
    {
        var bucket = await _kit.CreateBucketAsync();
        var existing = await PutAsync(bucket, "k", ObjectCannedAcls.Ec2BundleRead);

        await BucketTestKit.ShouldFailWithAsync(() => PutAsync(bucket, "k", acl), Ec2ErrorCodes.InvalidArgument);
        await BucketTestKit.ShouldFailWithAsync(() => bucket.PutObjectAclAsync(BucketTestKit.Alice, "k", acl), Ec2ErrorCodes.InvalidArgument);
        await BucketTestKit.ShouldFailWithAsync(
            () => bucket.CreateMultipartUploadAsync(BucketTestKit.Alice, "mp", "", ImmutableDictionary<string, string>.Empty, null, [], acl),
            Ec2ErrorCodes.InvalidArgument);

        (await bucket.GetObjectAsync(BucketTestKit.Alice, "k")).Should().BeEquivalentTo(existing);
        (await bucket.ListMultipartUploadsAsync(BucketTestKit.Alice, null)).Should().BeEmpty();
    }

    [Fact]
    public async Task PutObjectAcl_RecordsTheAcl_AndLeavesEverythingElseAlone()
    {
        var bucket = await _kit.CreateBucketAsync();
        var blob = await _kit.PutBlobAsync([1, 2, 3]);
        var put = await bucket.PutObjectAsync(BucketTestKit.Alice, new PutObjectRequest("k", blob, "text/plain", ImmutableDictionary<string, string>.Empty, null, [new Tag("a", "1")]));
        fixture.Time.Advance(TimeSpan.FromMinutes(5));

        await bucket.PutObjectAclAsync(BucketTestKit.Alice, "k", ObjectCannedAcls.AwsExecRead);
        await _kit.DeactivateAllAsync();
        var got = await bucket.GetObjectAsync(BucketTestKit.Alice, "k");

        got.Should().BeEquivalentTo(put with { CannedAcl = ObjectCannedAcls.AwsExecRead });
    }

    [Fact]
    public async Task PutObjectAcl_OfAKeyThatDoesNotExist_FailsWithNoSuchKey_AndOfAnotherAccountWithAccessDenied()
    {
        var bucket = await _kit.CreateBucketAsync();
        await PutAsync(bucket, "k", null);

        await BucketTestKit.ShouldFailWithAsync(() => bucket.PutObjectAclAsync(BucketTestKit.Alice, "absent", ObjectCannedAcls.AwsExecRead), Ec2ErrorCodes.NoSuchKey);
        await BucketTestKit.ShouldFailWithAsync(() => bucket.PutObjectAclAsync(BucketTestKit.Bob, "k", ObjectCannedAcls.AwsExecRead), Ec2ErrorCodes.AccessDenied);

        (await bucket.GetObjectAsync(BucketTestKit.Alice, "k")).CannedAcl.Should().BeNull();
    }

    [Fact]
    public async Task Complete_GivesTheObjectTheAclOfItsUpload()
    {
        var bucket = await _kit.CreateBucketAsync();
        var upload = await bucket.CreateMultipartUploadAsync(BucketTestKit.Alice, "mp", "", ImmutableDictionary<string, string>.Empty, null, [], ObjectCannedAcls.Ec2BundleRead);
        await _kit.DeactivateAllAsync();
        var part = await bucket.UploadPartAsync(BucketTestKit.Alice, "mp", upload.UploadId, 1, await _kit.PutBlobAsync([1, 2, 3]), null);

        var completed = await bucket.CompleteMultipartUploadAsync(BucketTestKit.Alice, "mp", upload.UploadId, [new CompletedPart(1, part.ETag)]);

        completed.CannedAcl.Should().Be(ObjectCannedAcls.Ec2BundleRead);
        (await bucket.GetObjectAsync(BucketTestKit.Alice, "mp")).CannedAcl.Should().Be(ObjectCannedAcls.Ec2BundleRead);
    }

    private async Task<S3ObjectInfo> PutAsync(IBucketGrain bucket, string key, string? acl) =>
        await bucket.PutObjectAsync(
            BucketTestKit.Alice,
            new PutObjectRequest(key, await _kit.PutBlobAsync([1, 2, 3]), "text/plain", ImmutableDictionary<string, string>.Empty, null, CannedAcl: acl));
}
