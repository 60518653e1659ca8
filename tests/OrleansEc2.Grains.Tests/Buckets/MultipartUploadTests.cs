using System.Collections.Immutable;
using System.Security.Cryptography;

namespace OrleansEc2.Grains.Tests.Buckets;

[Collection(ClusterCollection.Name)]
public sealed class MultipartUploadTests(ClusterFixture fixture)
{
    private const int FiveMiB = 5 * 1024 * 1024;

    private static readonly byte[] PartOne = BucketTestKit.Bytes(FiveMiB, seed: 401);
    private static readonly byte[] PartTwo = BucketTestKit.Bytes(FiveMiB + 123, seed: 402);
    private static readonly byte[] PartThree = BucketTestKit.Bytes(777, seed: 403);

    private readonly BucketTestKit _kit = new(fixture);

    [Fact]
    public async Task Create_ReturnsAnUploadListedForTheBucket()
    {
        var bucket = await _kit.CreateBucketAsync();

        var upload = await bucket.CreateMultipartUploadAsync(BucketTestKit.Alice, "disk.img", "application/octet-stream", ImmutableDictionary<string, string>.Empty, null);

        upload.Key.Should().Be("disk.img");
        upload.InitiatorId.Should().Be(BucketTestKit.Alice);
        upload.Initiated.Should().Be(fixture.Time.GetUtcNow());
        upload.UploadId.Should().MatchRegex("^[A-Za-z0-9_-]{64}$");
        (await bucket.ListMultipartUploadsAsync(BucketTestKit.Alice, null)).Should().Equal(upload);
    }

    [Fact]
    public async Task Complete_ConcatenatesThePartsByteExact_WithTheMultipartETag()
    {
        var bucket = await _kit.CreateBucketAsync();
        var metadata = ImmutableDictionary<string, string>.Empty.Add("purpose", "test");
        var upload = await bucket.CreateMultipartUploadAsync(BucketTestKit.Alice, "big.bin", "application/x-big", metadata, null);
        var etags = new List<string>();
        foreach (var (number, bytes) in new[] { (1, PartOne), (2, PartTwo), (3, PartThree) })
        {
            etags.Add((await UploadPartAsync(bucket, upload, number, bytes)).ETag);
        }

        var completed = await bucket.CompleteMultipartUploadAsync(
            BucketTestKit.Alice,
            "big.bin",
            upload.UploadId,
            [new CompletedPart(1, etags[0]), new CompletedPart(2, $"\"{etags[1]}\""), new CompletedPart(3, etags[2])]);

        byte[] whole = [.. PartOne, .. PartTwo, .. PartThree];
        completed.ETag.Should().Be(ExpectedMultipartETag(PartOne, PartTwo, PartThree));
        completed.Size.Should().Be(whole.Length);
        completed.PartsCount.Should().Be(3);
        completed.ContentType.Should().Be("application/x-big");
        completed.UserMetadata.Should().BeEquivalentTo(metadata);
        completed.Blob.Md5Hex.Should().Be(Convert.ToHexStringLower(MD5.HashData(whole)));
        (await _kit.ReadAllAsync(completed.Blob)).Should().Equal(whole);
        (await bucket.GetObjectAsync(BucketTestKit.Alice, "big.bin")).Should().BeEquivalentTo(completed);
        (await bucket.ListMultipartUploadsAsync(BucketTestKit.Alice, null)).Should().BeEmpty();
    }

    [Fact]
    public async Task Complete_MovesTheReferencesFromThePartsToTheObject()
    {
        var bucket = await _kit.CreateBucketAsync();
        var name = bucket.GetPrimaryKeyString();
        var upload = await CreateUploadAsync(bucket, "obj");
        var one = await UploadPartAsync(bucket, upload, 1, PartOne);
        var two = await UploadPartAsync(bucket, upload, 2, PartThree);
        (await _kit.HoldersOfAsync(one.Blob)).Should().Contain($"part:{name}/{upload.UploadId}/1");

        var completed = await bucket.CompleteMultipartUploadAsync(BucketTestKit.Alice, "obj", upload.UploadId, [new(1, one.ETag), new(2, two.ETag)]);

        (await _kit.HoldersOfAsync(one.Blob)).Should().NotContain(h => h.StartsWith($"part:{name}/", StringComparison.Ordinal));
        (await _kit.HoldersOfAsync(two.Blob)).Should().NotContain(h => h.StartsWith($"part:{name}/", StringComparison.Ordinal));
        (await _kit.HoldersOfAsync(completed.Blob)).Should().Contain($"object:{name}/obj");
    }

    [Fact]
    public async Task Complete_WithASubsetOfParts_UsesOnlyThoseAndDiscardsTheRest()
    {
        var bucket = await _kit.CreateBucketAsync();
        var upload = await CreateUploadAsync(bucket, "subset");
        var one = await UploadPartAsync(bucket, upload, 1, PartOne);
        var unused = await UploadPartAsync(bucket, upload, 2, PartTwo);
        var three = await UploadPartAsync(bucket, upload, 3, PartThree);

        var completed = await bucket.CompleteMultipartUploadAsync(BucketTestKit.Alice, "subset", upload.UploadId, [new(1, one.ETag), new(3, three.ETag)]);

        (await _kit.ReadAllAsync(completed.Blob)).Should().Equal([.. PartOne, .. PartThree]);
        completed.ETag.Should().Be(ExpectedMultipartETag(PartOne, PartThree));
        (await _kit.HoldersOfAsync(unused.Blob)).Should().NotContain(h => h.StartsWith("part:", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Complete_OfASinglePartSmallerThan5MiB_Succeeds()
    {
        var bucket = await _kit.CreateBucketAsync();
        var upload = await CreateUploadAsync(bucket, "small");
        var part = await UploadPartAsync(bucket, upload, 1, PartThree);

        var completed = await bucket.CompleteMultipartUploadAsync(BucketTestKit.Alice, "small", upload.UploadId, [new(1, part.ETag)]);

        completed.ETag.Should().Be(ExpectedMultipartETag(PartThree));
        completed.ETag.Should().EndWith("-1");
        (await _kit.ReadAllAsync(completed.Blob)).Should().Equal(PartThree);
    }

    [Fact]
    public async Task Complete_ReplacesAnExistingObject_AndDropsTheOldBlobsReference()
    {
        var bucket = await _kit.CreateBucketAsync();
        var old = await _kit.PutObjectAsync(bucket, "replaced", BucketTestKit.Bytes(100, seed: 404));
        var upload = await CreateUploadAsync(bucket, "replaced");
        var part = await UploadPartAsync(bucket, upload, 1, PartThree);

        await bucket.CompleteMultipartUploadAsync(BucketTestKit.Alice, "replaced", upload.UploadId, [new(1, part.ETag)]);

        (await bucket.GetObjectAsync(BucketTestKit.Alice, "replaced")).Size.Should().Be(PartThree.Length);
        (await _kit.HoldersOfAsync(old.Blob)).Should().NotContain($"object:{bucket.GetPrimaryKeyString()}/replaced");
    }

    [Fact]
    public async Task Complete_WithSha256PartChecksums_StoresTheCompositeChecksum()
    {
        var bucket = await _kit.CreateBucketAsync();
        var upload = await bucket.CreateMultipartUploadAsync(BucketTestKit.Alice, "summed", "application/octet-stream", ImmutableDictionary<string, string>.Empty, "SHA256");
        var parts = new List<CompletedPart>();
        foreach (var (number, bytes) in new[] { (1, PartOne), (2, PartThree) })
        {
            var checksum = new ObjectChecksum("SHA256", Convert.ToBase64String(SHA256.HashData(bytes)));
            var uploaded = await bucket.UploadPartAsync(BucketTestKit.Alice, "summed", upload.UploadId, number, await _kit.PutBlobAsync(bytes), checksum);
            parts.Add(new CompletedPart(number, uploaded.ETag));
        }

        var completed = await bucket.CompleteMultipartUploadAsync(BucketTestKit.Alice, "summed", upload.UploadId, [.. parts]);

        var composite = SHA256.HashData([.. SHA256.HashData(PartOne), .. SHA256.HashData(PartThree)]);
        completed.Checksum.Should().Be(new ObjectChecksum("SHA256", $"{Convert.ToBase64String(composite)}-2"));
    }

    [Fact]
    public async Task Complete_OfACompositeUpload_KeepsEachPartsChecksumWithTheObject_ThroughADeactivation()
    {
        var bucket = await _kit.CreateBucketAsync();
        var upload = await bucket.CreateMultipartUploadAsync(BucketTestKit.Alice, "summed", "application/octet-stream", ImmutableDictionary<string, string>.Empty, "SHA256");
        var parts = new List<CompletedPart>();
        foreach (var (number, bytes) in new[] { (1, PartOne), (2, PartTwo), (3, PartThree) })
        {
            var checksum = new ObjectChecksum("SHA256", Convert.ToBase64String(SHA256.HashData(bytes)));
            var uploaded = await bucket.UploadPartAsync(BucketTestKit.Alice, "summed", upload.UploadId, number, await _kit.PutBlobAsync(bytes), checksum);
            parts.Add(new CompletedPart(number, uploaded.ETag));
        }

        // Part 2 is left out: the object's parts are those the completion names, renumbered in their order.
        await bucket.CompleteMultipartUploadAsync(BucketTestKit.Alice, "summed", upload.UploadId, [parts[0], parts[2]]);
        await _kit.DeactivateAllAsync();
        var got = await bucket.GetObjectAsync(BucketTestKit.Alice, "summed");

        got.PartChecksums.Should().Equal(Convert.ToBase64String(SHA256.HashData(PartOne)), Convert.ToBase64String(SHA256.HashData(PartThree)));
        got.PartChecksum(1).Should().Be(new ObjectChecksum("SHA256", Convert.ToBase64String(SHA256.HashData(PartOne))));
        got.PartChecksum(2).Should().Be(new ObjectChecksum("SHA256", Convert.ToBase64String(SHA256.HashData(PartThree))));
        got.PartChecksum(3).Should().BeNull();
        got.PartChecksum(0).Should().BeNull();
    }

    [Fact]
    public async Task Complete_WithoutACompositeChecksum_KeepsNoPartChecksums()
    {
        var bucket = await _kit.CreateBucketAsync();
        var upload = await bucket.CreateMultipartUploadAsync(BucketTestKit.Alice, "plain", "application/octet-stream", ImmutableDictionary<string, string>.Empty, null);
        var part = await bucket.UploadPartAsync(BucketTestKit.Alice, "plain", upload.UploadId, 1, await _kit.PutBlobAsync(PartThree), new ObjectChecksum("CRC32", "AAAAAA=="));

        var completed = await bucket.CompleteMultipartUploadAsync(BucketTestKit.Alice, "plain", upload.UploadId, [new CompletedPart(1, part.ETag)]);

        completed.Checksum.Should().BeNull();
        completed.PartChecksums.IsDefault.Should().BeTrue();
        completed.PartChecksum(1).Should().BeNull();
    }

    [Fact]
    public async Task UploadPart_WithAChecksumOfAnotherAlgorithmThanTheUpload_FailsWithInvalidRequest()
    {
        var bucket = await _kit.CreateBucketAsync();
        var upload = await bucket.CreateMultipartUploadAsync(BucketTestKit.Alice, "k", "application/octet-stream", ImmutableDictionary<string, string>.Empty, "CRC32");
        var blob = await _kit.PutBlobAsync(PartThree);

        await BucketTestKit.ShouldFailWithAsync(
            () => bucket.UploadPartAsync(BucketTestKit.Alice, "k", upload.UploadId, 1, blob, new ObjectChecksum("SHA256", "AAAA")),
            Ec2ErrorCodes.InvalidRequest);
    }

    [Fact]
    public async Task UploadPart_AgainWithTheSameNumber_ReplacesThePart()
    {
        var bucket = await _kit.CreateBucketAsync();
        var upload = await CreateUploadAsync(bucket, "k");
        var first = await UploadPartAsync(bucket, upload, 1, BucketTestKit.Bytes(100, seed: 405));
        fixture.Time.Advance(TimeSpan.FromSeconds(10));

        var second = await UploadPartAsync(bucket, upload, 1, PartThree);

        var parts = await bucket.ListPartsAsync(BucketTestKit.Alice, "k", upload.UploadId);
        parts.Should().ContainSingle().Which.Should().Be(second);
        second.ETag.Should().Be(Convert.ToHexStringLower(MD5.HashData(PartThree)));
        second.LastModified.Should().Be(fixture.Time.GetUtcNow());
        (await _kit.HoldersOfAsync(first.Blob)).Should().NotContain($"part:{bucket.GetPrimaryKeyString()}/{upload.UploadId}/1");
        await BucketTestKit.ShouldFailWithAsync(
            () => bucket.CompleteMultipartUploadAsync(BucketTestKit.Alice, "k", upload.UploadId, [new(1, first.ETag)]),
            Ec2ErrorCodes.InvalidPart);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(10001)]
    [InlineData(-1)]
    public async Task UploadPart_WithANumberOutside1To10000_FailsWithInvalidArgument(int partNumber)
    {
        var bucket = await _kit.CreateBucketAsync();
        var upload = await CreateUploadAsync(bucket, "k");
        var blob = await _kit.PutBlobAsync(PartThree);

        await BucketTestKit.ShouldFailWithAsync(
            () => bucket.UploadPartAsync(BucketTestKit.Alice, "k", upload.UploadId, partNumber, blob, null),
            Ec2ErrorCodes.InvalidArgument);
    }

    [Fact]
    public async Task UploadPart_Number10000_IsAccepted()
    {
        var bucket = await _kit.CreateBucketAsync();
        var upload = await CreateUploadAsync(bucket, "k");

        var part = await UploadPartAsync(bucket, upload, 10000, PartThree);

        part.PartNumber.Should().Be(10000);
    }

    [Fact]
    public async Task ListParts_ReturnsThePartsInNumberOrder()
    {
        var bucket = await _kit.CreateBucketAsync();
        var upload = await CreateUploadAsync(bucket, "k");
        var three = await UploadPartAsync(bucket, upload, 3, BucketTestKit.Bytes(10, seed: 406));
        var one = await UploadPartAsync(bucket, upload, 1, BucketTestKit.Bytes(10, seed: 407));
        var two = await UploadPartAsync(bucket, upload, 2, BucketTestKit.Bytes(10, seed: 408));

        var parts = await bucket.ListPartsAsync(BucketTestKit.Alice, "k", upload.UploadId);

        parts.Should().Equal(one, two, three);
    }

    [Fact]
    public async Task ListMultipartUploads_FiltersByPrefix_AndOrdersByKey()
    {
        var bucket = await _kit.CreateBucketAsync();
        var b = await CreateUploadAsync(bucket, "logs/b");
        var a = await CreateUploadAsync(bucket, "logs/a");
        await CreateUploadAsync(bucket, "other");

        var uploads = await bucket.ListMultipartUploadsAsync(BucketTestKit.Alice, "logs/");

        uploads.Should().Equal(a, b);
    }

    [Fact]
    public async Task Complete_WithPartsOutOfOrder_FailsWithInvalidPartOrder()
    {
        var (bucket, upload, one, two) = await TwoPartUploadAsync();

        await BucketTestKit.ShouldFailWithAsync(
            () => bucket.CompleteMultipartUploadAsync(BucketTestKit.Alice, "k", upload.UploadId, [new(2, two.ETag), new(1, one.ETag)]),
            Ec2ErrorCodes.InvalidPartOrder);
    }

    [Fact]
    public async Task Complete_WithARepeatedPartNumber_FailsWithInvalidPartOrder()
    {
        var (bucket, upload, one, _) = await TwoPartUploadAsync();

        await BucketTestKit.ShouldFailWithAsync(
            () => bucket.CompleteMultipartUploadAsync(BucketTestKit.Alice, "k", upload.UploadId, [new(1, one.ETag), new(1, one.ETag)]),
            Ec2ErrorCodes.InvalidPartOrder);
    }

    [Fact]
    public async Task Complete_WithAPartNeverUploaded_FailsWithInvalidPart()
    {
        var (bucket, upload, one, _) = await TwoPartUploadAsync();

        await BucketTestKit.ShouldFailWithAsync(
            () => bucket.CompleteMultipartUploadAsync(BucketTestKit.Alice, "k", upload.UploadId, [new(1, one.ETag), new(5, one.ETag)]),
            Ec2ErrorCodes.InvalidPart);
    }

    [Fact]
    public async Task Complete_WithAWrongETag_FailsWithInvalidPart()
    {
        var (bucket, upload, one, _) = await TwoPartUploadAsync();

        await BucketTestKit.ShouldFailWithAsync(
            () => bucket.CompleteMultipartUploadAsync(BucketTestKit.Alice, "k", upload.UploadId, [new(1, one.ETag), new(2, new string('0', 32))]),
            Ec2ErrorCodes.InvalidPart);
    }

    [Fact]
    public async Task Complete_WithANonLastPartSmallerThan5MiB_FailsWithEntityTooSmall_AndKeepsTheUpload()
    {
        var bucket = await _kit.CreateBucketAsync();
        var upload = await CreateUploadAsync(bucket, "k");
        var small = await UploadPartAsync(bucket, upload, 1, BucketTestKit.Bytes(FiveMiB - 1, seed: 409));
        var last = await UploadPartAsync(bucket, upload, 2, PartThree);

        await BucketTestKit.ShouldFailWithAsync(
            () => bucket.CompleteMultipartUploadAsync(BucketTestKit.Alice, "k", upload.UploadId, [new(1, small.ETag), new(2, last.ETag)]),
            Ec2ErrorCodes.EntityTooSmall);
        (await bucket.ListPartsAsync(BucketTestKit.Alice, "k", upload.UploadId)).Should().HaveCount(2);
        await BucketTestKit.ShouldFailWithAsync(() => bucket.GetObjectAsync(BucketTestKit.Alice, "k"), Ec2ErrorCodes.NoSuchKey);
    }

    [Fact]
    public async Task Complete_WithNoParts_FailsWithMalformedXml()
    {
        var (bucket, upload, _, _) = await TwoPartUploadAsync();

        await BucketTestKit.ShouldFailWithAsync(
            () => bucket.CompleteMultipartUploadAsync(BucketTestKit.Alice, "k", upload.UploadId, []),
            Ec2ErrorCodes.MalformedXml);
    }

    [Fact]
    public async Task Complete_Twice_FailsTheSecondTimeWithNoSuchUpload()
    {
        var (bucket, upload, one, two) = await TwoPartUploadAsync();
        await bucket.CompleteMultipartUploadAsync(BucketTestKit.Alice, "k", upload.UploadId, [new(1, one.ETag), new(2, two.ETag)]);

        await BucketTestKit.ShouldFailWithAsync(
            () => bucket.CompleteMultipartUploadAsync(BucketTestKit.Alice, "k", upload.UploadId, [new(1, one.ETag), new(2, two.ETag)]),
            Ec2ErrorCodes.NoSuchUpload);
    }

    [Fact]
    public async Task Abort_RemovesTheUpload_AndDropsItsPartsReferences()
    {
        var (bucket, upload, one, two) = await TwoPartUploadAsync();
        var name = bucket.GetPrimaryKeyString();

        await bucket.AbortMultipartUploadAsync(BucketTestKit.Alice, "k", upload.UploadId);

        (await bucket.ListMultipartUploadsAsync(BucketTestKit.Alice, null)).Should().BeEmpty();
        (await _kit.HoldersOfAsync(one.Blob)).Should().NotContain(h => h.StartsWith($"part:{name}/", StringComparison.Ordinal));
        (await _kit.HoldersOfAsync(two.Blob)).Should().NotContain(h => h.StartsWith($"part:{name}/", StringComparison.Ordinal));
        await BucketTestKit.ShouldFailWithAsync(() => bucket.AbortMultipartUploadAsync(BucketTestKit.Alice, "k", upload.UploadId), Ec2ErrorCodes.NoSuchUpload);
        await BucketTestKit.ShouldFailWithAsync(() => bucket.ListPartsAsync(BucketTestKit.Alice, "k", upload.UploadId), Ec2ErrorCodes.NoSuchUpload);
    }

    [Fact]
    public async Task AnUnknownUploadId_FailsEveryUploadCallWithNoSuchUpload()
    {
        var bucket = await _kit.CreateBucketAsync();
        var blob = await _kit.PutBlobAsync(PartThree);

        await BucketTestKit.ShouldFailWithAsync(() => bucket.UploadPartAsync(BucketTestKit.Alice, "k", "no-such-upload", 1, blob, null), Ec2ErrorCodes.NoSuchUpload);
        await BucketTestKit.ShouldFailWithAsync(() => bucket.CompleteMultipartUploadAsync(BucketTestKit.Alice, "k", "no-such-upload", [new(1, blob.Md5Hex)]), Ec2ErrorCodes.NoSuchUpload);
        await BucketTestKit.ShouldFailWithAsync(() => bucket.AbortMultipartUploadAsync(BucketTestKit.Alice, "k", "no-such-upload"), Ec2ErrorCodes.NoSuchUpload);
        await BucketTestKit.ShouldFailWithAsync(() => bucket.ListPartsAsync(BucketTestKit.Alice, "k", "no-such-upload"), Ec2ErrorCodes.NoSuchUpload);
    }

    [Fact]
    public async Task AnUploadId_UsedWithAnotherKey_FailsWithNoSuchUpload()
    {
        var (bucket, upload, one, two) = await TwoPartUploadAsync();

        await BucketTestKit.ShouldFailWithAsync(
            () => bucket.CompleteMultipartUploadAsync(BucketTestKit.Alice, "other-key", upload.UploadId, [new(1, one.ETag), new(2, two.ETag)]),
            Ec2ErrorCodes.NoSuchUpload);
    }

    [Fact]
    public async Task AnUploadAndItsParts_SurviveReactivation_AndCompleteAfterwards()
    {
        var (bucket, upload, one, two) = await TwoPartUploadAsync();

        await _kit.DeactivateAllAsync();
        var parts = await bucket.ListPartsAsync(BucketTestKit.Alice, "k", upload.UploadId);
        var completed = await bucket.CompleteMultipartUploadAsync(BucketTestKit.Alice, "k", upload.UploadId, [new(1, one.ETag), new(2, two.ETag)]);
        await _kit.DeactivateAllAsync();

        parts.Should().Equal(one, two);
        (await bucket.GetObjectAsync(BucketTestKit.Alice, "k")).Should().BeEquivalentTo(completed);
        (await _kit.ReadAllAsync(completed.Blob)).Should().Equal([.. PartOne, .. PartThree]);
    }

    [Fact]
    public async Task TheBucket_AnswersAListingWhileAnUploadCompletes_WithoutTheUnfinishedObject()
    {
        var bucket = await _kit.CreateBucketAsync();
        var upload = await CreateUploadAsync(bucket, "k");
        var parts = new List<CompletedPart>();
        for (var number = 1; number <= 4; number++)
        {
            parts.Add(new CompletedPart(number, (await UploadPartAsync(bucket, upload, number, number % 2 == 0 ? PartTwo : PartOne)).ETag));
        }

        var completion = bucket.CompleteMultipartUploadAsync(BucketTestKit.Alice, "k", upload.UploadId, [.. parts]);
        var listing = await bucket.ListObjectsAsync(BucketTestKit.Alice, new ListObjectsQuery(null, null, 1000, null));
        var completed = await completion;

        listing.Objects.Should().BeEmpty();
        completed.Size.Should().Be((2L * PartOne.Length) + (2L * PartTwo.Length));
    }

    private async Task<(IBucketGrain Bucket, MultipartUploadInfo Upload, UploadedPart One, UploadedPart Two)> TwoPartUploadAsync()
    {
        var bucket = await _kit.CreateBucketAsync();
        var upload = await CreateUploadAsync(bucket, "k");
        var one = await UploadPartAsync(bucket, upload, 1, PartOne);
        var two = await UploadPartAsync(bucket, upload, 2, PartThree);
        return (bucket, upload, one, two);
    }

    private static Task<MultipartUploadInfo> CreateUploadAsync(IBucketGrain bucket, string key) =>
        bucket.CreateMultipartUploadAsync(BucketTestKit.Alice, key, "application/octet-stream", ImmutableDictionary<string, string>.Empty, null);

    private async Task<UploadedPart> UploadPartAsync(IBucketGrain bucket, MultipartUploadInfo upload, int number, byte[] bytes) =>
        await bucket.UploadPartAsync(BucketTestKit.Alice, upload.Key, upload.UploadId, number, await _kit.PutBlobAsync(bytes), null);

    /// <summary>S3's multipart ETag computed here independently: MD5 over the concatenated binary MD5s of the parts, "-N".</summary>
    private static string ExpectedMultipartETag(params byte[][] parts)
    {
        var digests = parts.SelectMany(MD5.HashData).ToArray();
        return $"{Convert.ToHexStringLower(MD5.HashData(digests))}-{parts.Length}";
    }
}
