using System.Collections.Immutable;

namespace OrleansEc2;

/// <summary>A bucket: its global name, owner, location and creation date.</summary>
[GenerateSerializer, Immutable, Alias("OrleansEc2.BucketInfo")]
public sealed record BucketInfo(
    [property: Id(0)] string Name,
    [property: Id(1)] string OwnerId,
    [property: Id(2)] string Region,
    [property: Id(3)] DateTimeOffset CreationDate);

/// <summary>An additional checksum S3 stores with an object (<c>x-amz-checksum-crc32</c> …): algorithm name and base64 value.</summary>
[GenerateSerializer, Immutable, Alias("OrleansEc2.ObjectChecksum")]
public sealed record ObjectChecksum(
    [property: Id(0)] string Algorithm,
    [property: Id(1)] string Value);

/// <summary>
/// An object's metadata; its bytes are the blob <see cref="Blob"/> in the blob store. An object a multipart upload
/// completed has <see cref="PartsCount"/> and the sizes of its parts in order (<see cref="PartSizes"/>), so
/// GetObject/HeadObject with <c>partNumber</c> can answer one part; any other object is its own part 1.
/// <see cref="Tags"/> is its tag set (S3's object tagging) in the order it was given; default or empty when it has none.
/// <see cref="CannedAcl"/> is the canned ACL it was written with when that grants more than its owner's full control
/// (see <see cref="ObjectCannedAcls"/>); null otherwise. <see cref="PartChecksums"/>: for an object a COMPOSITE multipart
/// upload completed, the base64 checksum of each part in order (of <see cref="Checksum"/>'s algorithm), which a read of
/// one part answers; default for any other object, and for those completed before part checksums were recorded.
/// </summary>
[GenerateSerializer, Immutable, Alias("OrleansEc2.S3ObjectInfo")]
public sealed record S3ObjectInfo(
    [property: Id(0)] string Bucket,
    [property: Id(1)] string Key,
    [property: Id(2)] BlobInfo Blob,
    [property: Id(3)] string ETag,
    [property: Id(4)] DateTimeOffset LastModified,
    [property: Id(5)] string ContentType,
    [property: Id(6)] ImmutableDictionary<string, string> UserMetadata,
    [property: Id(7)] ObjectChecksum? Checksum,
    [property: Id(8)] int? PartsCount,
    [property: Id(9)] ImmutableArray<long> PartSizes = default,
    [property: Id(10)] ImmutableArray<Tag> Tags = default,
    [property: Id(11)] string? CannedAcl = null,
    [property: Id(12)] ImmutableArray<string> PartChecksums = default)
{
    public long Size => Blob.Length;

    /// <summary>How many tags the object has (S3's <c>x-amz-tagging-count</c>).</summary>
    public int TagCount => Tags.IsDefault ? 0 : Tags.Length;

    /// <summary>
    /// The checksum of part <paramref name="partNumber"/> as its upload computed it (COMPOSITE objects whose part
    /// checksums were recorded); null for any other part or object.
    /// </summary>
    public ObjectChecksum? PartChecksum(int partNumber) =>
        Checksum is not null && !PartChecksums.IsDefault && partNumber >= 1 && partNumber <= PartChecksums.Length
            ? new ObjectChecksum(Checksum.Algorithm, PartChecksums[partNumber - 1])
            : null;

    /// <summary>
    /// The byte range of part <paramref name="partNumber"/>: for a multipart object, where its parts lay; for any
    /// other object, part 1 is the whole object. Null when there is no such part. An object completed before part
    /// sizes were recorded only knows its part 1 as the whole object.
    /// </summary>
    public (long First, long Length)? PartRange(int partNumber)
    {
        if (PartSizes.IsDefaultOrEmpty)
        {
            return partNumber == 1 ? (0, Size) : null;
        }

        if (partNumber < 1 || partNumber > PartSizes.Length)
        {
            return null;
        }

        long first = 0;
        for (var i = 0; i < partNumber - 1; i++)
        {
            first += PartSizes[i];
        }

        return (first, PartSizes[partNumber - 1]);
    }
}

/// <summary>
/// What PutObject stores: the blob already written to the blob store, and the headers that go with it — its tag set
/// (none when default or empty: a write replaces the tags of the object it overwrites), the precondition of a
/// conditional write, and the canned ACL to record (<see cref="ObjectCannedAcls"/>; null for the owner's full control
/// alone, which a write without an ACL also gives the object it overwrites).
/// </summary>
[GenerateSerializer, Immutable, Alias("OrleansEc2.PutObjectRequest")]
public sealed record PutObjectRequest(
    [property: Id(0)] string Key,
    [property: Id(1)] BlobInfo Blob,
    [property: Id(2)] string ContentType,
    [property: Id(3)] ImmutableDictionary<string, string> UserMetadata,
    [property: Id(4)] ObjectChecksum? Checksum,
    [property: Id(5)] ImmutableArray<Tag> Tags = default,
    [property: Id(6)] ObjectWriteCondition? Condition = null,
    [property: Id(7)] string? CannedAcl = null);

/// <summary>
/// The precondition of a conditional write (S3's <c>If-None-Match: *</c> and <c>If-Match</c> on PutObject, CopyObject and
/// CompleteMultipartUpload) on the key it writes. <see cref="IfNoneMatch"/>: the key must not exist
/// (<c>PreconditionFailed</c> when it does). <see cref="IfMatch"/>: the key must exist (<c>NoSuchKey</c>) with that ETag —
/// quoted or not, a comma-separated list, or <c>*</c> for any (<c>PreconditionFailed</c> otherwise). The bucket grain
/// decides it in the same turn as the write it guards. <see cref="CheckedBefore"/>: the caller had it checked earlier in
/// the same request (before streaming the body), so a failure at the write means another write got in between:
/// <c>ConditionalRequestConflict</c>, as S3 answers a conflicting operation during a conditional upload.
/// </summary>
[GenerateSerializer, Immutable, Alias("OrleansEc2.ObjectWriteCondition")]
public sealed record ObjectWriteCondition(
    [property: Id(0)] string? IfMatch,
    [property: Id(1)] bool IfNoneMatch,
    [property: Id(2)] bool CheckedBefore = false)
{
    /// <summary>
    /// The error code the key's current state answers: null when the condition holds, <c>NoSuchKey</c> or
    /// <c>PreconditionFailed</c> when it does not. <paramref name="currentETag"/> is null when the key does not exist.
    /// </summary>
    public string? FailureCode(string? currentETag)
    {
        if (IfNoneMatch && currentETag is not null)
        {
            return Ec2ErrorCodes.PreconditionFailed;
        }

        if (IfMatch is null)
        {
            return null;
        }

        if (currentETag is null)
        {
            return Ec2ErrorCodes.NoSuchKey;
        }

        foreach (var item in IfMatch.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            var candidate = item.StartsWith("W/", StringComparison.Ordinal) ? item[2..] : item;
            if (candidate == "*" || string.Equals(candidate.Trim('"'), currentETag, StringComparison.Ordinal))
            {
                return null;
            }
        }

        return Ec2ErrorCodes.PreconditionFailed;
    }
}

/// <summary>ListObjects / ListObjectsV2's question. <see cref="StartAfter"/> is the marker, start-after or the decoded continuation token.</summary>
[GenerateSerializer, Immutable, Alias("OrleansEc2.ListObjectsQuery")]
public sealed record ListObjectsQuery(
    [property: Id(0)] string? Prefix,
    [property: Id(1)] string? Delimiter,
    [property: Id(2)] int MaxKeys,
    [property: Id(3)] string? StartAfter);

/// <summary>One page of a listing: objects, common prefixes, and where the next page starts (the last key or prefix returned).</summary>
[GenerateSerializer, Immutable, Alias("OrleansEc2.ObjectListing")]
public sealed record ObjectListing(
    [property: Id(0)] ImmutableArray<S3ObjectInfo> Objects,
    [property: Id(1)] ImmutableArray<string> CommonPrefixes,
    [property: Id(2)] bool IsTruncated,
    [property: Id(3)] string? NextStartAfter);

/// <summary>DeleteObjects' answer for one key.</summary>
[GenerateSerializer, Immutable, Alias("OrleansEc2.DeleteObjectResult")]
public sealed record DeleteObjectResult(
    [property: Id(0)] string Key,
    [property: Id(1)] string? ErrorCode,
    [property: Id(2)] string? ErrorMessage);

/// <summary>A multipart upload in progress.</summary>
[GenerateSerializer, Immutable, Alias("OrleansEc2.MultipartUploadInfo")]
public sealed record MultipartUploadInfo(
    [property: Id(0)] string UploadId,
    [property: Id(1)] string Key,
    [property: Id(2)] string InitiatorId,
    [property: Id(3)] DateTimeOffset Initiated,
    [property: Id(4)] string? ChecksumAlgorithm);

/// <summary>An uploaded part of a multipart upload.</summary>
[GenerateSerializer, Immutable, Alias("OrleansEc2.UploadedPart")]
public sealed record UploadedPart(
    [property: Id(0)] int PartNumber,
    [property: Id(1)] BlobInfo Blob,
    [property: Id(2)] string ETag,
    [property: Id(3)] DateTimeOffset LastModified,
    [property: Id(4)] ObjectChecksum? Checksum);

/// <summary>CompleteMultipartUpload's list: part numbers in ascending order and the ETags the client was given.</summary>
[GenerateSerializer, Immutable, Alias("OrleansEc2.CompletedPart")]
public sealed record CompletedPart(
    [property: Id(0)] int PartNumber,
    [property: Id(1)] string ETag);

/// <summary>
/// One bucket, keyed by its global name: owner, location, and the metadata of its objects (bodies are blobs).
/// Every call names the calling account; another owner's bucket answers <c>AccessDenied</c>, a missing one
/// <c>NoSuchBucket</c>. A change is persisted before the call returns, so an acknowledged write survives a crash.
/// </summary>
public interface IBucketGrain : IGrainWithStringKey
{
    /// <summary>CreateBucket with S3's semantics (<c>BucketAlreadyExists</c>, <c>BucketAlreadyOwnedByYou</c>, a repeat create in us-east-1 succeeds).</summary>
    Task<BucketInfo> CreateAsync(string accountId, string region);

    Task<BucketInfo> GetInfoAsync(string accountId);

    /// <summary>Whether the bucket exists, and who owns it, without an access check (for create-if-missing decisions).</summary>
    Task<BucketInfo?> FindAsync();

    /// <summary>Deletes an empty bucket (<c>BucketNotEmpty</c> otherwise).</summary>
    Task DeleteAsync(string accountId);

    /// <summary>
    /// Stores an object, replacing any under its key (and that one's tags). A <see cref="PutObjectRequest.Condition"/> is
    /// decided here, atomically with the write: <c>PreconditionFailed</c> or <c>NoSuchKey</c>, or
    /// <c>ConditionalRequestConflict</c> when the caller had it checked before (<see cref="CheckWriteConditionAsync"/>).
    /// Tags that break S3's rules (<see cref="ObjectTagRules"/>) answer <c>InvalidTag</c> or <c>BadRequest</c>.
    /// </summary>
    Task<S3ObjectInfo> PutObjectAsync(string accountId, PutObjectRequest request);

    /// <summary>
    /// Decides a conditional write's precondition now (<c>PreconditionFailed</c>, <c>NoSuchKey</c>), before the caller
    /// streams its body, so that a write bound to fail costs no upload. The write itself decides it again.
    /// </summary>
    Task CheckWriteConditionAsync(string accountId, string key, ObjectWriteCondition condition);

    /// <summary>
    /// PutObjectTagging (and, with no tags, DeleteObjectTagging): replaces the tag set of an existing object
    /// (<c>NoSuchKey</c> otherwise); its bytes, ETag and Last-Modified stay as they are.
    /// </summary>
    Task PutObjectTaggingAsync(string accountId, string key, ImmutableArray<Tag> tags);

    /// <summary>
    /// PutObjectAcl with a canned ACL: records <paramref name="cannedAcl"/> (<see cref="ObjectCannedAcls"/>; null for the
    /// owner's full control alone) on an existing object (<c>NoSuchKey</c> otherwise); its bytes, ETag, Last-Modified
    /// and tags stay as they are.
    /// </summary>
    Task PutObjectAclAsync(string accountId, string key, string? cannedAcl);

    Task<S3ObjectInfo> GetObjectAsync(string accountId, string key);

    /// <summary>GetBucketTagging: the bucket's tag set in the order it was given; <c>NoSuchTagSet</c> when it has none.</summary>
    Task<ImmutableArray<Tag>> GetBucketTaggingAsync(string accountId);

    /// <summary>
    /// PutBucketTagging (and, with no tags, DeleteBucketTagging): replaces the bucket's whole tag set, checked against
    /// S3's rules for buckets (<see cref="ObjectTagRules"/> with <see cref="TagSetOwner.Bucket"/>: <c>InvalidTag</c>,
    /// <c>BadRequest</c>).
    /// </summary>
    Task PutBucketTaggingAsync(string accountId, ImmutableArray<Tag> tags);

    /// <summary>Deletes a key; deleting a missing key succeeds, as in S3.</summary>
    Task DeleteObjectAsync(string accountId, string key);

    Task<ImmutableArray<DeleteObjectResult>> DeleteObjectsAsync(string accountId, ImmutableArray<string> keys);

    /// <summary>Deletes every object whose key starts with <paramref name="prefix"/> (a cancelled bundle's parts). Returns how many.</summary>
    Task<int> DeleteObjectsWithPrefixAsync(string accountId, string prefix);

    Task<ObjectListing> ListObjectsAsync(string accountId, ListObjectsQuery query);

    /// <summary>
    /// Starts a multipart upload; the object it completes into gets <paramref name="tags"/> (checked here, as by
    /// PutObject) and records <paramref name="cannedAcl"/> (<see cref="ObjectCannedAcls"/>).
    /// </summary>
    Task<MultipartUploadInfo> CreateMultipartUploadAsync(
        string accountId,
        string key,
        string contentType,
        ImmutableDictionary<string, string> userMetadata,
        string? checksumAlgorithm,
        ImmutableArray<Tag> tags = default,
        string? cannedAcl = null);

    Task<UploadedPart> UploadPartAsync(string accountId, string key, string uploadId, int partNumber, BlobInfo blob, ObjectChecksum? checksum);

    /// <summary>
    /// Joins <paramref name="parts"/> into the object. Its checksum is the composite of the parts' when the upload was
    /// created with a composite algorithm (and the parts' own checksums are kept with it, for reads of one part); otherwise <paramref name="wholeObjectChecksum"/> (a FULL_OBJECT upload's
    /// CRC of the whole object, which the caller combined from the parts' CRCs), or none. A <paramref name="condition"/>
    /// is decided before the parts are joined (<c>PreconditionFailed</c>, <c>NoSuchKey</c>) and again when the object is
    /// recorded: a write to the key in between answers <c>ConditionalRequestConflict</c>. The upload stays when it fails.
    /// </summary>
    Task<S3ObjectInfo> CompleteMultipartUploadAsync(
        string accountId,
        string key,
        string uploadId,
        ImmutableArray<CompletedPart> parts,
        ObjectChecksum? wholeObjectChecksum = null,
        ObjectWriteCondition? condition = null);

    Task AbortMultipartUploadAsync(string accountId, string key, string uploadId);

    Task<ImmutableArray<UploadedPart>> ListPartsAsync(string accountId, string key, string uploadId);

    Task<ImmutableArray<MultipartUploadInfo>> ListMultipartUploadsAsync(string accountId, string? prefix);

    /// <summary>
    /// <see cref="CreateAsync"/> under the legacy naming rule EC2's BundleInstance accepts (<c>^[a-zA-Z\d\.\-_]{3,255}$</c>,
    /// US Standard buckets) instead of S3's current one; otherwise the same semantics.
    /// </summary>
    Task<BucketInfo> CreateWithLegacyNameAsync(string accountId, string region);
}

/// <summary>The buckets one account owns, in every region (ListBuckets). Bucket grains keep it current.</summary>
public interface IAccountBucketsGrain : IGrainWithStringKey
{
    Task AddAsync(BucketInfo bucket);

    Task RemoveAsync(string bucketName);

    Task<ImmutableArray<BucketInfo>> ListAsync();
}
