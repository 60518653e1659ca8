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

    public BucketInfo? ToInfo(string name) => OwnerId is null ? null : new BucketInfo(name, OwnerId, Region, CreationDate);
}

/// <summary>An object's metadata as persisted.</summary>
[GenerateSerializer, Alias("OrleansEc2.Grains.Buckets.StoredObject")]
public sealed class StoredObject
{
    [Id(0)]
    public StoredBlob Blob { get; set; } = new();

    [Id(1)]
    public string ETag { get; set; } = "";

    [Id(2)]
    public DateTimeOffset LastModified { get; set; }

    [Id(3)]
    public string ContentType { get; set; } = "";

    [Id(4)]
    public Dictionary<string, string> UserMetadata { get; set; } = [];

    [Id(5)]
    public StoredChecksum? Checksum { get; set; }

    [Id(6)]
    public int? PartsCount { get; set; }

    public static StoredObject From(S3ObjectInfo info) => new()
    {
        Blob = StoredBlob.From(info.Blob),
        ETag = info.ETag,
        LastModified = info.LastModified,
        ContentType = info.ContentType,
        UserMetadata = new Dictionary<string, string>(info.UserMetadata),
        Checksum = StoredChecksum.From(info.Checksum),
        PartsCount = info.PartsCount,
    };

    public S3ObjectInfo ToInfo(string bucket, string key) => new(
        bucket,
        key,
        Blob.ToInfo(),
        ETag,
        LastModified,
        ContentType,
        UserMetadata.ToImmutableDictionary(),
        Checksum?.ToInfo(),
        PartsCount);
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

    public MultipartUploadInfo ToInfo() => new(UploadId, Key, InitiatorId, Initiated, ChecksumAlgorithm);
}

/// <summary>An uploaded part as persisted.</summary>
[GenerateSerializer, Alias("OrleansEc2.Grains.Buckets.StoredPart")]
public sealed class StoredPart
{
    [Id(0)]
    public int PartNumber { get; set; }

    [Id(1)]
    public StoredBlob Blob { get; set; } = new();

    [Id(2)]
    public string ETag { get; set; } = "";

    [Id(3)]
    public DateTimeOffset LastModified { get; set; }

    [Id(4)]
    public StoredChecksum? Checksum { get; set; }

    public static StoredPart From(UploadedPart part) => new()
    {
        PartNumber = part.PartNumber,
        Blob = StoredBlob.From(part.Blob),
        ETag = part.ETag,
        LastModified = part.LastModified,
        Checksum = StoredChecksum.From(part.Checksum),
    };

    public UploadedPart ToInfo() => new(PartNumber, Blob.ToInfo(), ETag, LastModified, Checksum?.ToInfo());
}

[GenerateSerializer, Alias("OrleansEc2.Grains.Buckets.StoredBlob")]
public sealed class StoredBlob
{
    [Id(0)]
    public string Hash { get; set; } = "";

    [Id(1)]
    public long Length { get; set; }

    [Id(2)]
    public string Md5Hex { get; set; } = "";

    public static StoredBlob From(BlobInfo blob) => new() { Hash = blob.Hash, Length = blob.Length, Md5Hex = blob.Md5Hex };

    public BlobInfo ToInfo() => new(Hash, Length, Md5Hex);
}

[GenerateSerializer, Alias("OrleansEc2.Grains.Buckets.StoredChecksum")]
public sealed class StoredChecksum
{
    [Id(0)]
    public string Algorithm { get; set; } = "";

    [Id(1)]
    public string Value { get; set; } = "";

    public static StoredChecksum? From(ObjectChecksum? checksum) =>
        checksum is null ? null : new StoredChecksum { Algorithm = checksum.Algorithm, Value = checksum.Value };

    public ObjectChecksum ToInfo() => new(Algorithm, Value);
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
