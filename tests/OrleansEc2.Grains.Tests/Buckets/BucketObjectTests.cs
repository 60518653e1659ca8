using System.Collections.Immutable;
using System.Security.Cryptography;

namespace OrleansEc2.Grains.Tests.Buckets;

[Collection(ClusterCollection.Name)]
public sealed class BucketObjectTests(ClusterFixture fixture)
{
    private readonly BucketTestKit _kit = new(fixture);

    [Fact]
    public async Task PutThenGet_ReturnsTheMetadata_AndTheBodyByteExact()
    {
        var bucket = await _kit.CreateBucketAsync();
        var bytes = BucketTestKit.Bytes((2 * 1024 * 1024) + 5, seed: 101);
        var blob = await _kit.PutBlobAsync(bytes);
        var metadata = ImmutableDictionary<string, string>.Empty.Add("color", "blue").Add("owner", "alice");
        var checksum = new ObjectChecksum("CRC32", "AAAAAA==");

        var put = await bucket.PutObjectAsync(BucketTestKit.Alice, new PutObjectRequest("dir/file.bin", blob, "application/x-test", metadata, checksum));
        var got = await bucket.GetObjectAsync(BucketTestKit.Alice, "dir/file.bin");

        got.Should().BeEquivalentTo(put);
        got.Bucket.Should().Be(bucket.GetPrimaryKeyString());
        got.Key.Should().Be("dir/file.bin");
        got.Size.Should().Be(bytes.Length);
        got.ETag.Should().Be(Convert.ToHexStringLower(MD5.HashData(bytes)));
        got.LastModified.Should().Be(fixture.Time.GetUtcNow());
        got.ContentType.Should().Be("application/x-test");
        got.UserMetadata.Should().BeEquivalentTo(metadata);
        got.Checksum.Should().Be(checksum);
        got.PartsCount.Should().BeNull();
        (await _kit.ReadAllAsync(got.Blob)).Should().Equal(bytes);
    }

    [Fact]
    public async Task Put_WithoutAContentType_StoresBinaryOctetStream()
    {
        var bucket = await _kit.CreateBucketAsync();
        var blob = await _kit.PutBlobAsync([1, 2, 3]);

        var put = await bucket.PutObjectAsync(BucketTestKit.Alice, new PutObjectRequest("k", blob, "", ImmutableDictionary<string, string>.Empty, null));

        put.ContentType.Should().Be("binary/octet-stream");
    }

    [Fact]
    public async Task Put_ReferencesTheBlob_AndAnOverwriteMovesTheReferenceToTheNewBlob()
    {
        var bucket = await _kit.CreateBucketAsync();
        var holder = $"object:{bucket.GetPrimaryKeyString()}/key";
        var first = await _kit.PutObjectAsync(bucket, "key", BucketTestKit.Bytes(1000, seed: 102));

        fixture.Time.Advance(TimeSpan.FromSeconds(30));
        var second = await _kit.PutObjectAsync(bucket, "key", BucketTestKit.Bytes(1000, seed: 103));

        (await _kit.HoldersOfAsync(first.Blob)).Should().NotContain(holder);
        (await _kit.HoldersOfAsync(second.Blob)).Should().Contain(holder);
        var got = await bucket.GetObjectAsync(BucketTestKit.Alice, "key");
        got.Blob.Should().Be(second.Blob);
        got.LastModified.Should().Be(fixture.Time.GetUtcNow());
    }

    [Fact]
    public async Task Put_SameBytesAgain_KeepsTheReference()
    {
        var bucket = await _kit.CreateBucketAsync();
        var bytes = BucketTestKit.Bytes(1000, seed: 104);
        var first = await _kit.PutObjectAsync(bucket, "key", bytes);

        await _kit.PutObjectAsync(bucket, "key", bytes);

        (await _kit.HoldersOfAsync(first.Blob)).Should().Contain($"object:{bucket.GetPrimaryKeyString()}/key");
    }

    [Fact]
    public async Task Put_OfABlobNotInTheStore_FailsWithInvalidArgument()
    {
        var bucket = await _kit.CreateBucketAsync();
        var missing = new BlobInfo(new string('c', 64), 10, new string('d', 32));

        await BucketTestKit.ShouldFailWithAsync(
            () => bucket.PutObjectAsync(BucketTestKit.Alice, new PutObjectRequest("k", missing, "text/plain", ImmutableDictionary<string, string>.Empty, null)),
            Ec2ErrorCodes.InvalidArgument);
    }

    [Fact]
    public async Task Put_WithAnEmptyKey_FailsWithInvalidArgument()
    {
        var bucket = await _kit.CreateBucketAsync();

        await BucketTestKit.ShouldFailWithAsync(() => _kit.PutObjectAsync(bucket, "", [1]), Ec2ErrorCodes.InvalidArgument);
    }

    [Fact]
    public async Task Put_WithAKeyOf1024Utf8Bytes_Succeeds_And1025FailsWithKeyTooLongError()
    {
        var bucket = await _kit.CreateBucketAsync();
        var longest = new string('é', 512);
        var tooLong = longest + "x";

        await _kit.PutObjectAsync(bucket, longest, [1]);

        await BucketTestKit.ShouldFailWithAsync(() => _kit.PutObjectAsync(bucket, tooLong, [1]), Ec2ErrorCodes.KeyTooLongError);
    }

    [Fact]
    public async Task Get_AMissingKey_FailsWithNoSuchKey()
    {
        var bucket = await _kit.CreateBucketAsync();

        await BucketTestKit.ShouldFailWithAsync(() => bucket.GetObjectAsync(BucketTestKit.Alice, "nothing-here"), Ec2ErrorCodes.NoSuchKey);
    }

    [Fact]
    public async Task Delete_RemovesTheObject_AndDropsItsReference()
    {
        var bucket = await _kit.CreateBucketAsync();
        var put = await _kit.PutObjectAsync(bucket, "gone", BucketTestKit.Bytes(1000, seed: 105));

        await bucket.DeleteObjectAsync(BucketTestKit.Alice, "gone");

        await BucketTestKit.ShouldFailWithAsync(() => bucket.GetObjectAsync(BucketTestKit.Alice, "gone"), Ec2ErrorCodes.NoSuchKey);
        (await _kit.HoldersOfAsync(put.Blob)).Should().NotContain($"object:{bucket.GetPrimaryKeyString()}/gone");
    }

    [Fact]
    public async Task Delete_AMissingKey_Succeeds()
    {
        var bucket = await _kit.CreateBucketAsync();

        var delete = () => bucket.DeleteObjectAsync(BucketTestKit.Alice, "never-was");

        await delete.Should().NotThrowAsync();
    }

    [Fact]
    public async Task DeleteObjects_DeletesEachKey_AndAnswersForEveryKeyInOrder()
    {
        var bucket = await _kit.CreateBucketAsync();
        await _kit.PutObjectsAsync(bucket, "a", "b", "c");

        var results = await bucket.DeleteObjectsAsync(BucketTestKit.Alice, ["c", "missing", "a", ""]);

        results.Should().Equal(
            new DeleteObjectResult("c", null, null),
            new DeleteObjectResult("missing", null, null),
            new DeleteObjectResult("a", null, null),
            new DeleteObjectResult("", Ec2ErrorCodes.InvalidArgument, "An object key must not be empty."));
        var listing = await bucket.ListObjectsAsync(BucketTestKit.Alice, new ListObjectsQuery(null, null, 1000, null));
        listing.Objects.Select(o => o.Key).Should().Equal("b");
    }

    [Fact]
    public async Task DeleteObjects_OfMoreThan1000Keys_FailsWithMalformedXml()
    {
        var bucket = await _kit.CreateBucketAsync();
        var keys = Enumerable.Range(0, 1001).Select(i => $"k{i}").ToImmutableArray();

        await BucketTestKit.ShouldFailWithAsync(() => bucket.DeleteObjectsAsync(BucketTestKit.Alice, keys), Ec2ErrorCodes.MalformedXml);
    }

    [Fact]
    public async Task DeleteObjectsWithPrefix_DeletesOnlyThatPrefix_AndCountsThem()
    {
        var bucket = await _kit.CreateBucketAsync();
        await _kit.PutObjectsAsync(bucket, "image.part.0", "image.part.1", "image.manifest.xml", "imagex", "other.part.0");
        var partBlob = (await bucket.GetObjectAsync(BucketTestKit.Alice, "image.part.0")).Blob;

        var deleted = await bucket.DeleteObjectsWithPrefixAsync(BucketTestKit.Alice, "image.");

        deleted.Should().Be(3);
        var listing = await bucket.ListObjectsAsync(BucketTestKit.Alice, new ListObjectsQuery(null, null, 1000, null));
        listing.Objects.Select(o => o.Key).Should().Equal("imagex", "other.part.0");
        (await _kit.HoldersOfAsync(partBlob)).Should().NotContain(h => h.StartsWith($"object:{bucket.GetPrimaryKeyString()}/image.", StringComparison.Ordinal));
    }

    [Fact]
    public async Task DeleteObjectsWithPrefix_MatchingNothing_ReturnsZero()
    {
        var bucket = await _kit.CreateBucketAsync();
        await _kit.PutObjectsAsync(bucket, "a");

        (await bucket.DeleteObjectsWithPrefixAsync(BucketTestKit.Alice, "zzz")).Should().Be(0);
    }

    [Fact]
    public async Task AnAcknowledgedPut_SurvivesReactivation_WithItsBody()
    {
        var bucket = await _kit.CreateBucketAsync();
        var bytes = BucketTestKit.Bytes(100_000, seed: 106);
        var put = await _kit.PutObjectAsync(bucket, "durable", bytes);

        await _kit.DeactivateAllAsync();
        var got = await bucket.GetObjectAsync(BucketTestKit.Alice, "durable");

        got.Should().BeEquivalentTo(put);
        (await _kit.ReadAllAsync(got.Blob)).Should().Equal(bytes);
    }

    [Fact]
    public async Task References_LeftByACrashBetweenReferenceAndState_AreDropped_WhenTheBucketComesBack()
    {
        var bucket = await _kit.CreateBucketAsync();
        var name = bucket.GetPrimaryKeyString();
        var kept = await _kit.PutObjectAsync(bucket, "kept", BucketTestKit.Bytes(1000, seed: 107));
        var upload = await bucket.CreateMultipartUploadAsync(BucketTestKit.Alice, "upload", "", ImmutableDictionary<string, string>.Empty, null);
        var part = await _kit.PutBlobAsync(BucketTestKit.Bytes(500, seed: 108));
        await bucket.UploadPartAsync(BucketTestKit.Alice, "upload", upload.UploadId, 1, part, null);
        var orphan = await _kit.PutBlobAsync(BucketTestKit.Bytes(700, seed: 109));

        // What a crash leaves: an overwrite of "kept" and a put of "ghost" referenced but never persisted, a part
        // dropped from the state but not from the references.
        await _kit.Blobs.AddReferenceAsync(orphan.Hash, $"object:{name}/kept");
        await _kit.Blobs.AddReferenceAsync(orphan.Hash, $"object:{name}/ghost");
        await _kit.Blobs.AddReferenceAsync(orphan.Hash, $"part:{name}/{upload.UploadId}/2");
        await _kit.Blobs.AddReferenceAsync(orphan.Hash, $"object:{name}-other/kept");
        await _kit.DeactivateAllAsync();
        var got = await bucket.GetObjectAsync(BucketTestKit.Alice, "kept");

        got.Should().BeEquivalentTo(kept);
        (await _kit.HoldersOfAsync(orphan)).Should().Equal([$"object:{name}-other/kept"], "only another bucket's reference is not this bucket's to judge");
        (await _kit.HoldersOfAsync(kept.Blob)).Should().Contain($"object:{name}/kept");
        (await _kit.HoldersOfAsync(part)).Should().Contain($"part:{name}/{upload.UploadId}/1");
    }
}
