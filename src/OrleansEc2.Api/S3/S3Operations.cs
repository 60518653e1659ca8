using System.Collections.Concurrent;
using System.Collections.Immutable;
using System.Globalization;
using System.Text;
using Microsoft.AspNetCore.Http;
using OrleansEc2.Api.Auth;
using OrleansEc2.Api.Ec2;
using OrleansEc2.Api.FrontDoor;

namespace OrleansEc2.Api.S3;

/// <summary>
/// The S3 operations: one method each, over the bucket grains (metadata) and the blob store (bytes). Bodies stream
/// from the request into the blob store through <see cref="Payload.S3PayloadStream"/>, which refuses them before the
/// end if they do not check out; a grain records an object only after its blob is whole and verified.
/// </summary>
internal sealed partial class S3Operations(
    IGrainFactory grains,
    IBlobStore blobs,
    ConfiguredRegions regions,
    IAccessKeySource accessKeys,
    ISimulationClock clock)
{
    /// <summary>The largest object one PUT may store (S3's 5 GiB).</summary>
    public const long MaxSinglePutBytes = 5L * 1024 * 1024 * 1024;

    /// <summary>The most user metadata an object carries (S3's 2 KB: names and values in UTF-8).</summary>
    public const int MaxUserMetadataBytes = 2048;

    public const string DefaultStorageClass = "STANDARD";

    /// <summary>The canned ACL EC2's bundle uploads carry (the upload policy requires it).</summary>
    public const string BundleReadAcl = ObjectCannedAcls.Ec2BundleRead;

    /// <summary>The canned ACL <c>ec2-upload-bundle</c> puts a bundle's parts with by default.</summary>
    public const string ExecReadAcl = ObjectCannedAcls.AwsExecRead;

    private const string UserMetadataPrefix = "x-amz-meta-";

    private readonly ConcurrentDictionary<string, string> _displayNames = new(StringComparer.Ordinal);

    public Task RunAsync(S3RequestContext request)
    {
        var route = request.Route;
        if (route.IsNotImplemented)
        {
            throw S3Errors.NotImplemented(route.OperationName);
        }

        if (route.Operation == S3Route.MethodNotAllowed)
        {
            throw new Ec2Exception(S3Errors.MethodNotAllowed, "The specified method is not allowed against this resource.");
        }

        if (route.Bucket is { } bucket && !S3Route.IsPlausibleBucketName(bucket) && route.Operation != S3Route.CreateBucket)
        {
            throw new Ec2Exception(Ec2ErrorCodes.InvalidBucketName, $"The specified bucket is not valid: '{bucket}'.");
        }

        return route.Operation switch
        {
            S3Route.ListBuckets => ListBucketsAsync(request),
            S3Route.CreateBucket => CreateBucketAsync(request),
            S3Route.HeadBucket => HeadBucketAsync(request),
            S3Route.DeleteBucket => DeleteBucketAsync(request),
            S3Route.GetBucketLocation => GetBucketLocationAsync(request),
            S3Route.ListObjects => ListObjectsAsync(request, version2: false),
            S3Route.ListObjectsV2 => ListObjectsAsync(request, version2: true),
            S3Route.ListObjectVersions => ListObjectVersionsAsync(request),
            S3Route.ListMultipartUploads => ListMultipartUploadsAsync(request),
            S3Route.DeleteObjects => DeleteObjectsAsync(request),
            S3Route.PutObject => PutObjectAsync(request),
            S3Route.CopyObject => CopyObjectAsync(request),
            S3Route.GetObject => GetObjectAsync(request),
            S3Route.HeadObject => GetObjectAsync(request),
            S3Route.DeleteObject => DeleteObjectAsync(request),
            S3Route.CreateMultipartUpload => CreateMultipartUploadAsync(request),
            S3Route.UploadPart => UploadPartAsync(request),
            S3Route.UploadPartCopy => UploadPartCopyAsync(request),
            S3Route.CompleteMultipartUpload => CompleteMultipartUploadAsync(request),
            S3Route.AbortMultipartUpload => AbortMultipartUploadAsync(request),
            S3Route.ListParts => ListPartsAsync(request),
            S3Route.GetBucketAcl or S3Route.GetObjectAcl => GetAclAsync(request),
            S3Route.PutObjectAcl => PutObjectAclAsync(request),
            S3Route.GetBucketTagging => GetBucketTaggingAsync(request),
            S3Route.PutBucketTagging => PutBucketTaggingAsync(request),
            S3Route.DeleteBucketTagging => DeleteBucketTaggingAsync(request),
            S3Route.GetObjectTagging => GetObjectTaggingAsync(request),
            S3Route.PutObjectTagging => PutObjectTaggingAsync(request),
            S3Route.DeleteObjectTagging => DeleteObjectTaggingAsync(request),
            _ when BucketConfigurationReads.ContainsKey(route.Operation) => GetBucketConfigurationAsync(request),
            _ => throw S3Errors.NotImplemented(route.OperationName),
        };
    }

    private IBucketGrain BucketGrain(string bucket) => grains.GetGrain<IBucketGrain>(bucket);

    private IBucketGrain BucketGrain(S3RequestContext request) => BucketGrain(request.Bucket);

    /// <summary>The account's name, S3's DisplayName of an owner (the account id when it has none).</summary>
    private async ValueTask<string> DisplayNameAsync(string accountId)
    {
        if (_displayNames.TryGetValue(accountId, out var known))
        {
            return known;
        }

        string name;
        try
        {
            name = (await grains.GetGrain<IAccountGrain>(accountId).GetInfoAsync()).Name;
        }
        catch (Ec2Exception)
        {
            name = accountId;
        }

        _displayNames[accountId] = name;
        return name;
    }

    private async Task<Ec2XmlWriter> OwnerAsync(Ec2XmlWriter xml, string element, string accountId) =>
        xml.Start(element).Element("ID", accountId).Element("DisplayName", await DisplayNameAsync(accountId)).End(element);

    /// <summary>The <c>x-amz-meta-*</c> headers: names lower-cased without the prefix, at most 2 KB in all.</summary>
    private static ImmutableDictionary<string, string> UserMetadata(HttpRequest request) =>
        UserMetadata(request.Headers.Select(h => new KeyValuePair<string, string>(h.Key, string.Join(',', h.Value.Select(v => v?.Trim() ?? "")))));

    /// <summary>The <c>x-amz-meta-*</c> headers or form fields (repeated ones joined with commas): names lower-cased without the prefix, at most 2 KB in all.</summary>
    private static ImmutableDictionary<string, string> UserMetadata(IEnumerable<KeyValuePair<string, string>> fields)
    {
        var builder = ImmutableDictionary.CreateBuilder<string, string>(StringComparer.Ordinal);
        foreach (var (name, value) in fields)
        {
            if (!name.StartsWith(UserMetadataPrefix, StringComparison.OrdinalIgnoreCase) || name.Length == UserMetadataPrefix.Length)
            {
                continue;
            }

            var key = name[UserMetadataPrefix.Length..].ToLowerInvariant();
            builder[key] = builder.TryGetValue(key, out var earlier) ? earlier + "," + value.Trim() : value.Trim();
        }

        var size = builder.Sum(m => Encoding.UTF8.GetByteCount(m.Key) + Encoding.UTF8.GetByteCount(m.Value));
        if (size > MaxUserMetadataBytes)
        {
            throw new Ec2Exception(
                S3Errors.MetadataTooLarge,
                $"Your metadata headers exceed the maximum allowed metadata size: {size} bytes, the most is {MaxUserMetadataBytes}.");
        }

        return builder.ToImmutable();
    }

    /// <summary>What S3 would store and this simulator does not model: refused, never silently dropped.</summary>
    private static void RefuseUnsupportedObjectHeaders(S3RequestContext request) =>
        RefuseUnsupportedObjectSettings(request.Header, request.Request.Headers.Keys, aclName: "x-amz-acl");

    /// <summary>
    /// The settings of a new object that PUT takes as headers and POST as form fields (<paramref name="value"/> of a name;
    /// <paramref name="names"/> all that were sent): what S3 would store and this simulator does not model is refused.
    /// </summary>
    private static void RefuseUnsupportedObjectSettings(Func<string, string?> value, IEnumerable<string> names, string aclName)
    {
        if (value("x-amz-storage-class") is { } storageClass && storageClass != DefaultStorageClass)
        {
            throw new Ec2Exception(
                Ec2ErrorCodes.NotImplemented,
                $"Storage class {storageClass} is not implemented by this S3 endpoint; every object is {DefaultStorageClass}.");
        }

        RefuseAcl(value(aclName), names, onObject: true);
        if (value("x-amz-server-side-encryption") is { } sse && sse != "AES256")
        {
            throw new Ec2Exception(Ec2ErrorCodes.NotImplemented, $"Server-side encryption with {sse} is not implemented by this S3 endpoint.");
        }

        if (value("x-amz-server-side-encryption-customer-algorithm") is not null)
        {
            throw new Ec2Exception(Ec2ErrorCodes.NotImplemented, "Server-side encryption with customer-provided keys is not implemented by this S3 endpoint.");
        }

        if (value("x-amz-object-lock-mode") is not null || value("x-amz-object-lock-legal-hold") is not null)
        {
            throw S3Errors.NotImplemented("PutObjectRetention (object lock)");
        }
    }

    /// <summary>
    /// Buckets here enforce the bucket owner's ownership of every object, as new S3 buckets do: an ACL that grants nobody
    /// but the owner anything is taken, any other ACL (or grant) is refused. On an object that includes the two canned
    /// ACLs that only let EC2 read a bundle — <c>ec2-bundle-read</c> (what the upload policy of BundleInstance requires
    /// on every part and the manifest) and <c>aws-exec-read</c> (what <c>ec2-upload-bundle</c> sends by default): refusing
    /// them would refuse the bundle tools' uploads. They are recorded with the object (<see cref="RecordedAcl"/>) and
    /// GetObjectAcl lists their grant. PUT, POST and PutObjectAcl take the same ACLs, as in S3.
    /// </summary>
    private static void RefuseAcl(string? acl, IEnumerable<string> names, bool onObject)
    {
        var taken = acl is null or "private" or "bucket-owner-full-control" || (onObject && acl is BundleReadAcl or ExecReadAcl);
        if (!taken || names.Any(h => h.StartsWith("x-amz-grant-", StringComparison.OrdinalIgnoreCase)))
        {
            throw new Ec2Exception(S3Errors.AccessControlListNotSupported, "The bucket does not allow ACLs");
        }
    }

    /// <summary>What an object records of an ACL <see cref="RefuseAcl"/> took: the two EC2 read ACLs; none for the owner's alone.</summary>
    private static string? RecordedAcl(string? acl) => acl is BundleReadAcl or ExecReadAcl ? acl : null;

    /// <summary>Versioning is off in every bucket here: the only version is <c>null</c>.</summary>
    private static void RefuseVersionId(string? versionId)
    {
        if (versionId is not null && versionId != "null")
        {
            throw S3Errors.InvalidArgument("Invalid version id specified");
        }
    }

    private static int ParseInt(string? value, string name, int defaultValue, int min, int max)
    {
        if (value is null)
        {
            return defaultValue;
        }

        if (!int.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var parsed) || parsed < min)
        {
            throw S3Errors.InvalidArgument($"Provided {name} not an integer or within integer range");
        }

        return Math.Min(parsed, max);
    }

    private static void SetChecksumHeaders(HttpResponse response, ObjectChecksum? checksum, string? checksumType = null)
    {
        if (checksum is null || Payload.S3ChecksumAlgorithm.FromName(checksum.Algorithm) is not { } algorithm)
        {
            return;
        }

        response.Headers[algorithm.HeaderName] = checksum.Value;
        response.Headers["x-amz-checksum-type"] = checksumType ?? ChecksumType(checksum);
    }

    private static string ChecksumType(ObjectChecksum checksum) =>
        checksum.Value.Contains('-', StringComparison.Ordinal) ? "COMPOSITE" : "FULL_OBJECT";

    private static Ec2XmlWriter ChecksumElements(Ec2XmlWriter xml, ObjectChecksum? checksum, bool withType)
    {
        if (checksum is not null && Payload.S3ChecksumAlgorithm.FromName(checksum.Algorithm) is { } algorithm)
        {
            xml.Element(algorithm.ElementName, checksum.Value);
            if (withType)
            {
                xml.Element("ChecksumType", ChecksumType(checksum));
            }
        }

        return xml;
    }
}
