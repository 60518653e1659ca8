using System.Collections.Immutable;

namespace OrleansEc2.Grains.Buckets;

// Persisted state is plain classes with settable members, not the contract records: grain storage may serialize with
// Json.NET and reference preservation (Orleans' default), which cannot rebuild immutable collections.

/// <summary>A bucket's persisted state: no owner (no such bucket), or its info, its objects and its multipart uploads.</summary>
[GenerateSerializer, Alias("OrleansEc2.Grains.Buckets.BucketState")]
public sealed class BucketState
{
    /// <summary>Null while the bucket does not exist.</summary>
    [Id(0)]
    public string? OwnerId { get; set; }

    [Id(1)]
    public string Region { get; set; } = "";

    [Id(2)]
    public DateTimeOffset CreationDate { get; set; }

    [Id(3)]
    public Dictionary<string, StoredObject> Objects { get; set; } = [];

    /// <summary>Multipart uploads in progress, by upload id.</summary>
    [Id(4)]
    public Dictionary<string, StoredUpload> Uploads { get; set; } = [];

    /// <summary>The bucket's tags in the order they were given; null when it has none (and for every bucket stored before bucket tags were).</summary>
    [Id(5)]
    public Dictionary<string, string>? Tags { get; set; }

    public BucketInfo? ToInfo(string name) => OwnerId is null ? null : new BucketInfo(name, OwnerId, Region, CreationDate);
}

/// <summary>An object's metadata as persisted (flat: each nested object costs Json.NET a type name and an id).</summary>
[GenerateSerializer, Alias("OrleansEc2.Grains.Buckets.StoredObject")]
public sealed class StoredObject
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

    /// <summary>Null when there is none.</summary>
    [Id(6)]
    public Dictionary<string, string>? UserMetadata { get; set; }

    [Id(7)]
    public string? ChecksumAlgorithm { get; set; }

    [Id(8)]
    public string? ChecksumValue { get; set; }

    [Id(9)]
    public int? PartsCount { get; set; }

    /// <summary>The sizes of a multipart object's parts, in order; null for any other object.</summary>
    [Id(10)]
    public long[]? PartSizes { get; set; }

    /// <summary>The object's tags in the order they were given; null when it has none (and for every object stored before tags were).</summary>
    [Id(11)]
    public Dictionary<string, string>? Tags { get; set; }

    /// <summary>The canned ACL recorded with the object (<see cref="ObjectCannedAcls"/>); null for the owner's full control alone (and for every object stored before ACLs were recorded).</summary>
    [Id(12)]
    public string? CannedAcl { get; set; }

    /// <summary>A COMPOSITE multipart object's part checksums, in order; null for any other object (and for those completed before they were kept).</summary>
    [Id(13)]
    public string[]? PartChecksums { get; set; }

    public static StoredObject From(S3ObjectInfo info) => new()
    {
        BlobHash = info.Blob.Hash,
        Size = info.Blob.Length,
        Md5Hex = info.Blob.Md5Hex,
        ETag = info.ETag,
        LastModified = info.LastModified,
        ContentType = info.ContentType,
        UserMetadata = info.UserMetadata.IsEmpty ? null : new Dictionary<string, string>(info.UserMetadata),
        ChecksumAlgorithm = info.Checksum?.Algorithm,
        ChecksumValue = info.Checksum?.Value,
        PartsCount = info.PartsCount,
        PartSizes = info.PartSizes.IsDefaultOrEmpty ? null : [.. info.PartSizes],
        Tags = StoredTags.From(info.Tags),
        CannedAcl = info.CannedAcl,
        PartChecksums = info.PartChecksums.IsDefault ? null : [.. info.PartChecksums],
    };

    public S3ObjectInfo ToInfo(string bucket, string key) => new(
        bucket,
        key,
        new BlobInfo(BlobHash, Size, Md5Hex),
        ETag,
        LastModified,
        ContentType,
        UserMetadata?.ToImmutableDictionary() ?? ImmutableDictionary<string, string>.Empty,
        ChecksumAlgorithm is null ? null : new ObjectChecksum(ChecksumAlgorithm, ChecksumValue ?? ""),
        PartsCount,
        PartSizes is null ? default : [.. PartSizes],
        StoredTags.ToTags(Tags),
        CannedAcl,
        PartChecksums is null ? default : [.. PartChecksums]);
}

/// <summary>A multipart upload in progress: what CreateMultipartUpload said, and the parts uploaded so far by number.</summary>
[GenerateSerializer, Alias("OrleansEc2.Grains.Buckets.StoredUpload")]
public sealed class StoredUpload
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

    /// <summary>The tags the completed object gets; null when none (and for every upload stored before tags were).</summary>
    [Id(8)]
    public Dictionary<string, string>? Tags { get; set; }

    /// <summary>The canned ACL the completed object records; null for none (and for every upload stored before ACLs were recorded).</summary>
    [Id(9)]
    public string? CannedAcl { get; set; }

    public MultipartUploadInfo ToInfo() => new(UploadId, Key, InitiatorId, Initiated, ChecksumAlgorithm);
}

/// <summary>
/// A tag set as persisted: a dictionary, whose keys are unique as a tag set's are, read back in the order it was
/// written (entries are only ever added to it, so it enumerates in insertion order).
/// </summary>
internal static class StoredTags
{
    public static Dictionary<string, string>? From(ImmutableArray<Tag> tags) =>
        tags.IsDefaultOrEmpty ? null : tags.ToDictionary(t => t.Key, t => t.Value);

    public static ImmutableArray<Tag> ToTags(Dictionary<string, string>? tags) =>
        tags is null ? [] : [.. tags.Select(t => new Tag(t.Key, t.Value))];
}

/// <summary>An uploaded part as persisted.</summary>
[GenerateSerializer, Alias("OrleansEc2.Grains.Buckets.StoredPart")]
public sealed class StoredPart
{
    [Id(0)]
    public int PartNumber { get; set; }

    [Id(1)]
    public string BlobHash { get; set; } = "";

    [Id(2)]
    public long Size { get; set; }

    [Id(3)]
    public string Md5Hex { get; set; } = "";

    [Id(4)]
    public string ETag { get; set; } = "";

    [Id(5)]
    public DateTimeOffset LastModified { get; set; }

    [Id(6)]
    public string? ChecksumAlgorithm { get; set; }

    [Id(7)]
    public string? ChecksumValue { get; set; }

    public static StoredPart From(UploadedPart part) => new()
    {
        PartNumber = part.PartNumber,
        BlobHash = part.Blob.Hash,
        Size = part.Blob.Length,
        Md5Hex = part.Blob.Md5Hex,
        ETag = part.ETag,
        LastModified = part.LastModified,
        ChecksumAlgorithm = part.Checksum?.Algorithm,
        ChecksumValue = part.Checksum?.Value,
    };

    public UploadedPart ToInfo() => new(
        PartNumber,
        new BlobInfo(BlobHash, Size, Md5Hex),
        ETag,
        LastModified,
        ChecksumAlgorithm is null ? null : new ObjectChecksum(ChecksumAlgorithm, ChecksumValue ?? ""));
}

/// <summary>The buckets one account owns, by name.</summary>
[GenerateSerializer, Alias("OrleansEc2.Grains.Buckets.AccountBucketsState")]
public sealed class AccountBucketsState
{
    [Id(0)]
    public Dictionary<string, StoredBucket> Buckets { get; set; } = [];
}

[GenerateSerializer, Alias("OrleansEc2.Grains.Buckets.StoredBucket")]
public sealed class StoredBucket
{
    [Id(0)]
    public string OwnerId { get; set; } = "";

    [Id(1)]
    public string Region { get; set; } = "";

    [Id(2)]
    public DateTimeOffset CreationDate { get; set; }

    public static StoredBucket From(BucketInfo info) => new() { OwnerId = info.OwnerId, Region = info.Region, CreationDate = info.CreationDate };

    public BucketInfo ToInfo(string name) => new(name, OwnerId, Region, CreationDate);
}
