using System.Collections.Immutable;

namespace OrleansEc2.Grains.Buckets;

/// <summary>A bucket's persisted state: nothing (no such bucket), or its info, its objects and its multipart uploads.</summary>
[GenerateSerializer, Alias("OrleansEc2.Grains.Buckets.BucketState")]
public sealed class BucketState
{
    /// <summary>Null while the bucket does not exist.</summary>
    [Id(0)]
    public BucketInfo? Info { get; set; }

    [Id(1)]
    public Dictionary<string, S3ObjectInfo> Objects { get; set; } = [];

    /// <summary>Multipart uploads in progress, by upload id.</summary>
    [Id(2)]
    public Dictionary<string, MultipartUpload> Uploads { get; set; } = [];
}

/// <summary>A multipart upload in progress: what CreateMultipartUpload said, and the parts uploaded so far by number.</summary>
[GenerateSerializer, Immutable, Alias("OrleansEc2.Grains.Buckets.MultipartUpload")]
public sealed record MultipartUpload(
    [property: Id(0)] MultipartUploadInfo Info,
    [property: Id(1)] string ContentType,
    [property: Id(2)] ImmutableDictionary<string, string> UserMetadata,
    [property: Id(3)] ImmutableDictionary<int, UploadedPart> Parts);

/// <summary>The buckets one account owns, by name.</summary>
[GenerateSerializer, Alias("OrleansEc2.Grains.Buckets.AccountBucketsState")]
public sealed class AccountBucketsState
{
    [Id(0)]
    public Dictionary<string, BucketInfo> Buckets { get; set; } = [];
}
