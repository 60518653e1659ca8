using Microsoft.Extensions.DependencyInjection;
using Orleans.Serialization;
using OrleansEc2.Grains.Buckets;

namespace OrleansEc2.Grains.Tests.Buckets;

/// <summary>
/// A bucket's state stored by an earlier version reads back whole: before objects and uploads had tags (ids 11 and 8),
/// every object and upload without tags; before buckets had tags (id 5), objects canned ACLs and part checksums (ids 12
/// and 13) and uploads canned ACLs (id 9), the bucket untagged and every object and upload with the owner's ACL alone
/// and no part checksums. Today's state reads back with all of them.
/// </summary>
public sealed class BucketStateVersionTests
{
    private static readonly Serializer Serializer = new ServiceCollection()
        .AddSerializer(builder => builder.AddAssembly(typeof(BucketState).Assembly).AddAssembly(typeof(BucketStateVersionTests).Assembly))
        .BuildServiceProvider()
        .GetRequiredService<Serializer>();

    private static readonly DateTimeOffset Stored = new(2008, 10, 2, 9, 31, 44, TimeSpan.Zero);

    [Fact]
    public void AStateWithoutTags_ReadsWithEveryObjectAndUploadUntagged()
    {
        var old = new BucketStateBeforeTags
        {
            OwnerId = "111122223333",
            Region = "us-east-1",
            CreationDate = Stored,
            Objects = { ["docs/a.txt"] = OldObject() },
            Uploads = { ["upload-1"] = OldUpload() },
        };

        var read = Serializer.Deserialize<BucketState>(Serializer.SerializeToArray(old))!;

        read.ToInfo("bucket").Should().Be(new BucketInfo("bucket", "111122223333", "us-east-1", Stored));
        var stored = read.Objects.Should().ContainSingle().Which;
        stored.Key.Should().Be("docs/a.txt");
        stored.Value.Tags.Should().BeNull();
        var info = stored.Value.ToInfo("bucket", "docs/a.txt");
        info.Tags.Should().BeEmpty();
        info.TagCount.Should().Be(0);
        info.ETag.Should().Be("0123456789abcdef0123456789abcdef-2");
        info.Size.Should().Be(5_242_883);
        info.UserMetadata.Should().Equal(new Dictionary<string, string> { ["color"] = "blue" });
        info.Checksum.Should().Be(new ObjectChecksum("CRC32", "AAAAAA=="));
        info.PartSizes.Should().Equal(5_242_880, 3);
        var upload = read.Uploads.Should().ContainSingle().Which.Value;
        upload.Tags.Should().BeNull();
        upload.ToInfo().Should().Be(new MultipartUploadInfo("upload-1", "in/progress", "111122223333", Stored, "SHA256"));
        upload.Parts.Should().ContainSingle().Which.Value.ETag.Should().Be("fedcba9876543210fedcba9876543210");
    }

    [Fact]
    public void AStateWithoutBucketTagsAclsOrPartChecksums_ReadsUntagged_WithTheOwnersAclAlone_AndNoPartChecksums()
    {
        var old = new BucketStateBeforeAcls
        {
            OwnerId = "111122223333",
            Region = "eu-west-1",
            CreationDate = Stored,
            Objects = { ["docs/a.txt"] = ObjectBeforeAcls() },
            Uploads = { ["upload-1"] = UploadBeforeAcls() },
        };

        var read = Serializer.Deserialize<BucketState>(Serializer.SerializeToArray(old))!;

        read.ToInfo("bucket").Should().Be(new BucketInfo("bucket", "111122223333", "eu-west-1", Stored));
        read.Tags.Should().BeNull();
        var stored = read.Objects.Should().ContainSingle().Which.Value;
        stored.CannedAcl.Should().BeNull();
        stored.PartChecksums.Should().BeNull();
        var info = stored.ToInfo("bucket", "docs/a.txt");
        info.CannedAcl.Should().BeNull();
        info.PartChecksums.IsDefault.Should().BeTrue();
        info.PartChecksum(1).Should().BeNull();
        info.Checksum.Should().Be(new ObjectChecksum("SHA256", "c29tZS1zaGEtMjU2LWRpZ2VzdA==-2"));
        info.Tags.Should().Equal(new Tag("project", "blue"));
        info.PartSizes.Should().Equal(5_242_880, 3);
        var upload = read.Uploads.Should().ContainSingle().Which.Value;
        upload.CannedAcl.Should().BeNull();
        upload.Tags.Should().Equal(new Dictionary<string, string> { ["team"] = "red" });
    }

    [Fact]
    public void TodaysState_ReadsBackWithItsBucketTagsAclsAndPartChecksums()
    {
        var state = new BucketState
        {
            OwnerId = "111122223333",
            Region = "us-east-1",
            CreationDate = Stored,
            Tags = new Dictionary<string, string> { ["z"] = "1", ["a"] = "2" },
            Objects =
            {
                ["mp"] = new StoredObject
                {
                    BlobHash = new string('a', 64),
                    Size = 5_242_883,
                    ChecksumAlgorithm = "CRC32",
                    ChecksumValue = "AAAAAA==-2",
                    PartsCount = 2,
                    PartSizes = [5_242_880, 3],
                    CannedAcl = ObjectCannedAcls.AwsExecRead,
                    PartChecksums = ["AQIDBA==", "BQYHCA=="],
                },
            },
            Uploads = { ["upload-1"] = new StoredUpload { UploadId = "upload-1", Key = "k", CannedAcl = ObjectCannedAcls.Ec2BundleRead } },
        };

        var read = Serializer.Deserialize<BucketState>(Serializer.SerializeToArray(state))!;

        read.Tags.Should().Equal(new Dictionary<string, string> { ["z"] = "1", ["a"] = "2" });
        read.Tags!.Keys.Should().Equal("z", "a");
        var info = read.Objects["mp"].ToInfo("bucket", "mp");
        info.CannedAcl.Should().Be(ObjectCannedAcls.AwsExecRead);
        info.PartChecksum(2).Should().Be(new ObjectChecksum("CRC32", "BQYHCA=="));
        read.Uploads["upload-1"].CannedAcl.Should().Be(ObjectCannedAcls.Ec2BundleRead);
    }

    private static StoredObjectBeforeAcls ObjectBeforeAcls() => new()
    {
        BlobHash = new string('c', 64),
        Size = 5_242_883,
        Md5Hex = "00112233445566778899aabbccddeeff",
        ETag = "0123456789abcdef0123456789abcdef-2",
        LastModified = Stored,
        ContentType = "text/plain",
        ChecksumAlgorithm = "SHA256",
        ChecksumValue = "c29tZS1zaGEtMjU2LWRpZ2VzdA==-2",
        PartsCount = 2,
        PartSizes = [5_242_880, 3],
        Tags = new Dictionary<string, string> { ["project"] = "blue" },
    };

    private static StoredUploadBeforeAcls UploadBeforeAcls() => new()
    {
        UploadId = "upload-1",
        Key = "in/progress",
        InitiatorId = "111122223333",
        Initiated = Stored,
        ChecksumAlgorithm = "CRC32",
        ContentType = "application/octet-stream",
        Tags = new Dictionary<string, string> { ["team"] = "red" },
    };

    private static StoredObjectBeforeTags OldObject() => new()
    {
        BlobHash = new string('a', 64),
        Size = 5_242_883,
        Md5Hex = "00112233445566778899aabbccddeeff",
        ETag = "0123456789abcdef0123456789abcdef-2",
        LastModified = Stored,
        ContentType = "text/plain",
        UserMetadata = new Dictionary<string, string> { ["color"] = "blue" },
        ChecksumAlgorithm = "CRC32",
        ChecksumValue = "AAAAAA==",
        PartsCount = 2,
        PartSizes = [5_242_880, 3],
    };

    private static StoredUploadBeforeTags OldUpload() => new()
    {
        UploadId = "upload-1",
        Key = "in/progress",
        InitiatorId = "111122223333",
        Initiated = Stored,
        ChecksumAlgorithm = "SHA256",
        ContentType = "application/octet-stream",
        Parts =
        {
            [1] = new StoredPart { PartNumber = 1, BlobHash = new string('b', 64), Size = 3, Md5Hex = "fedcba9876543210fedcba9876543210", ETag = "fedcba9876543210fedcba9876543210", LastModified = Stored },
        },
    };
}

/// <summary><see cref="BucketState"/> as it was stored before tags: the same fields, the same ids.</summary>
[GenerateSerializer, Alias("OrleansEc2.Tests.BucketStateBeforeTags")]
public sealed class BucketStateBeforeTags
{
    [Id(0)]
    public string? OwnerId { get; set; }

    [Id(1)]
    public string Region { get; set; } = "";

    [Id(2)]
    public DateTimeOffset CreationDate { get; set; }

    [Id(3)]
    public Dictionary<string, StoredObjectBeforeTags> Objects { get; set; } = [];

    [Id(4)]
    public Dictionary<string, StoredUploadBeforeTags> Uploads { get; set; } = [];
}

/// <summary><see cref="StoredObject"/> before id 11 (its tags).</summary>
[GenerateSerializer, Alias("OrleansEc2.Tests.StoredObjectBeforeTags")]
public sealed class StoredObjectBeforeTags
{
    [Id(0)]
    public string BlobHash { get; set; } = "";

    [Id(1)]
    public long Size { get; set; }

    [Id(2)]
    public string Md5Hex { get; set; } = "";

    [Id(3)]
    public string ETag { get; set; } = "";

    [Id(4)]
    public DateTimeOffset LastModified { get; set; }

    [Id(5)]
    public string ContentType { get; set; } = "";

    [Id(6)]
    public Dictionary<string, string>? UserMetadata { get; set; }

    [Id(7)]
    public string? ChecksumAlgorithm { get; set; }

    [Id(8)]
    public string? ChecksumValue { get; set; }

    [Id(9)]
    public int? PartsCount { get; set; }

    [Id(10)]
    public long[]? PartSizes { get; set; }
}

/// <summary><see cref="StoredUpload"/> before id 8 (its tags).</summary>
[GenerateSerializer, Alias("OrleansEc2.Tests.StoredUploadBeforeTags")]
public sealed class StoredUploadBeforeTags
{
    [Id(0)]
    public string UploadId { get; set; } = "";

    [Id(1)]
    public string Key { get; set; } = "";

    [Id(2)]
    public string InitiatorId { get; set; } = "";

    [Id(3)]
    public DateTimeOffset Initiated { get; set; }

    [Id(4)]
    public string? ChecksumAlgorithm { get; set; }

    [Id(5)]
    public string ContentType { get; set; } = "";

    [Id(6)]
    public Dictionary<string, string> UserMetadata { get; set; } = [];

    [Id(7)]
    public Dictionary<int, StoredPart> Parts { get; set; } = [];
}

/// <summary><see cref="BucketState"/> as it was stored before bucket tags (id 5): the same fields, the same ids.</summary>
[GenerateSerializer, Alias("OrleansEc2.Tests.BucketStateBeforeAcls")]
public sealed class BucketStateBeforeAcls
{
    [Id(0)]
    public string? OwnerId { get; set; }

    [Id(1)]
    public string Region { get; set; } = "";

    [Id(2)]
    public DateTimeOffset CreationDate { get; set; }

    [Id(3)]
    public Dictionary<string, StoredObjectBeforeAcls> Objects { get; set; } = [];

    [Id(4)]
    public Dictionary<string, StoredUploadBeforeAcls> Uploads { get; set; } = [];
}

/// <summary><see cref="StoredObject"/> before ids 12 and 13 (its canned ACL and part checksums).</summary>
[GenerateSerializer, Alias("OrleansEc2.Tests.StoredObjectBeforeAcls")]
public sealed class StoredObjectBeforeAcls
{
    [Id(0)]
    public string BlobHash { get; set; } = "";

    [Id(1)]
    public long Size { get; set; }

    [Id(2)]
    public string Md5Hex { get; set; } = "";

    [Id(3)]
    public string ETag { get; set; } = "";

    [Id(4)]
    public DateTimeOffset LastModified { get; set; }

    [Id(5)]
    public string ContentType { get; set; } = "";

    [Id(6)]
    public Dictionary<string, string>? UserMetadata { get; set; }

    [Id(7)]
    public string? ChecksumAlgorithm { get; set; }

    [Id(8)]
    public string? ChecksumValue { get; set; }

    [Id(9)]
    public int? PartsCount { get; set; }

    [Id(10)]
    public long[]? PartSizes { get; set; }

    [Id(11)]
    public Dictionary<string, string>? Tags { get; set; }
}

/// <summary><see cref="StoredUpload"/> before id 9 (its canned ACL).</summary>
[GenerateSerializer, Alias("OrleansEc2.Tests.StoredUploadBeforeAcls")]
public sealed class StoredUploadBeforeAcls
{
    [Id(0)]
    public string UploadId { get; set; } = "";

    [Id(1)]
    public string Key { get; set; } = "";

    [Id(2)]
    public string InitiatorId { get; set; } = "";

    [Id(3)]
    public DateTimeOffset Initiated { get; set; }

    [Id(4)]
    public string? ChecksumAlgorithm { get; set; }

    [Id(5)]
    public string ContentType { get; set; } = "";

    [Id(6)]
    public Dictionary<string, string> UserMetadata { get; set; } = [];

    [Id(7)]
    public Dictionary<int, StoredPart> Parts { get; set; } = [];

    [Id(8)]
    public Dictionary<string, string>? Tags { get; set; }
}
