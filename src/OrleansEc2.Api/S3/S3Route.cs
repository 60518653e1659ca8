using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http;
using OrleansEc2.Api.Auth;

namespace OrleansEc2.Api.S3;

/// <summary>The query of an S3 request, decoded, names compared exactly (S3's subresources are case-sensitive).</summary>
internal sealed class S3Query(IReadOnlyList<KeyValuePair<string, string>> parameters)
{
    public IReadOnlyList<KeyValuePair<string, string>> Parameters { get; } = parameters;

    public bool Has(string name) => Parameters.Any(p => p.Key == name);

    /// <summary>The first value of <paramref name="name"/>; null when absent.</summary>
    public string? Get(string name)
    {
        foreach (var (key, value) in Parameters)
        {
            if (key == name)
            {
                return value;
            }
        }

        return null;
    }
}

/// <summary>
/// A path-style S3 request resolved: bucket and key from the raw path (decoded once, so <c>%2F</c> and <c>+</c> keep
/// their meaning), the decoded query, and the operation its method, level and subresource name.
/// </summary>
internal sealed partial record S3Route(string? Bucket, string? Key, S3Query Query, string Operation)
{
    public const string ListBuckets = "ListBuckets";
    public const string CreateBucket = "CreateBucket";
    public const string HeadBucket = "HeadBucket";
    public const string DeleteBucket = "DeleteBucket";
    public const string GetBucketLocation = "GetBucketLocation";
    public const string ListObjects = "ListObjects";
    public const string ListObjectsV2 = "ListObjectsV2";
    public const string ListObjectVersions = "ListObjectVersions";
    public const string ListMultipartUploads = "ListMultipartUploads";
    public const string DeleteObjects = "DeleteObjects";
    public const string PutObject = "PutObject";

    /// <summary>A browser's form upload (<c>POST /{bucket}</c>, <c>multipart/form-data</c>), authenticated by its own fields.</summary>
    public const string PostObject = "PostObject";
    public const string CopyObject = "CopyObject";
    public const string GetObject = "GetObject";
    public const string HeadObject = "HeadObject";
    public const string DeleteObject = "DeleteObject";
    public const string CreateMultipartUpload = "CreateMultipartUpload";
    public const string UploadPart = "UploadPart";
    public const string UploadPartCopy = "UploadPartCopy";
    public const string CompleteMultipartUpload = "CompleteMultipartUpload";
    public const string AbortMultipartUpload = "AbortMultipartUpload";
    public const string ListParts = "ListParts";
    public const string GetBucketAcl = "GetBucketAcl";
    public const string GetObjectAcl = "GetObjectAcl";
    public const string PutObjectAcl = "PutObjectAcl";
    public const string GetBucketTagging = "GetBucketTagging";
    public const string PutBucketTagging = "PutBucketTagging";
    public const string DeleteBucketTagging = "DeleteBucketTagging";
    public const string GetObjectTagging = "GetObjectTagging";
    public const string PutObjectTagging = "PutObjectTagging";
    public const string DeleteObjectTagging = "DeleteObjectTagging";

    /// <summary>An operation S3 has and this endpoint does not (answered <c>NotImplemented</c>, naming it).</summary>
    public const string NotImplementedPrefix = "!";

    /// <summary>A method S3 does not allow on the resource (answered <c>MethodNotAllowed</c>).</summary>
    public const string MethodNotAllowed = "MethodNotAllowed";

    // Bucket subresources and the name of what they configure, as in S3's operation names (GetBucketTagging, …).
    private static readonly Dictionary<string, string> BucketSubresources = new(StringComparer.Ordinal)
    {
        ["accelerate"] = "AccelerateConfiguration",
        ["acl"] = "Acl",
        ["analytics"] = "AnalyticsConfiguration",
        ["cors"] = "Cors",
        ["encryption"] = "Encryption",
        ["intelligent-tiering"] = "IntelligentTieringConfiguration",
        ["inventory"] = "InventoryConfiguration",
        ["lifecycle"] = "LifecycleConfiguration",
        ["logging"] = "Logging",
        ["metadataTable"] = "MetadataTableConfiguration",
        ["metrics"] = "MetricsConfiguration",
        ["notification"] = "NotificationConfiguration",
        ["object-lock"] = "ObjectLockConfiguration",
        ["ownershipControls"] = "OwnershipControls",
        ["policy"] = "Policy",
        ["policyStatus"] = "PolicyStatus",
        ["publicAccessBlock"] = "PublicAccessBlock",
        ["replication"] = "Replication",
        ["requestPayment"] = "RequestPayment",
        ["tagging"] = "Tagging",
        ["versioning"] = "Versioning",
        ["website"] = "Website",
    };

    private static readonly Dictionary<string, string> ObjectSubresources = new(StringComparer.Ordinal)
    {
        ["acl"] = "Acl",
        ["attributes"] = "Attributes",
        ["legal-hold"] = "LegalHold",
        ["retention"] = "Retention",
        ["tagging"] = "Tagging",
        ["torrent"] = "Torrent",
    };

    public bool IsNotImplemented => Operation.StartsWith(NotImplementedPrefix, StringComparison.Ordinal);

    /// <summary>The operation's name for logs and errors (without the not-implemented marker).</summary>
    public string OperationName => IsNotImplemented ? Operation[NotImplementedPrefix.Length..] : Operation;

    public static S3Route Parse(HttpRequest request)
    {
        var (rawPath, rawQuery) = SigV4Verifier.RawTarget(request);
        var query = new S3Query(SigV4.ParseQuery(rawQuery));
        var path = string.IsNullOrEmpty(rawPath) ? "/" : rawPath;
        string? bucket = null;
        string? key = null;
        var trimmed = path.TrimStart('/');
        if (trimmed.Length > 0)
        {
            var slash = trimmed.IndexOf('/');
            bucket = DecodeName(slash < 0 ? trimmed : trimmed[..slash]);
            var rest = slash < 0 ? "" : trimmed[(slash + 1)..];
            key = rest.Length == 0 ? null : DecodeName(rest);
        }

        return new S3Route(bucket, key, query, OperationOf(request.Method, bucket, key, query, request.Headers.ContainsKey("x-amz-copy-source")));
    }

    /// <summary>
    /// A percent-encoded bucket name or key, decoded; <c>InvalidURI</c> when its bytes are not UTF-8, as S3 answers. Read
    /// leniently, <c>%FF</c> and <c>%FE</c> would both become U+FFFD: a name the client did not send, shared by both.
    /// </summary>
    public static string DecodeName(string raw)
    {
        var decoded = SigV4.UriDecode(raw);
        if (decoded.Contains('\uFFFD', StringComparison.Ordinal) && !System.Text.Unicode.Utf8.IsValid(PercentDecodedBytes(raw)))
        {
            throw new Ec2Exception(S3Errors.InvalidUri, "Couldn't parse the specified URI.");
        }

        return decoded;
    }

    private static byte[] PercentDecodedBytes(string raw)
    {
        var bytes = new List<byte>(raw.Length);
        for (var i = 0; i < raw.Length; i++)
        {
            if (raw[i] == '%' && i + 2 < raw.Length && Uri.IsHexDigit(raw[i + 1]) && Uri.IsHexDigit(raw[i + 2]))
            {
                bytes.Add(Convert.ToByte(raw.Substring(i + 1, 2), 16));
                i += 2;
            }
            else
            {
                var length = char.IsHighSurrogate(raw[i]) && i + 1 < raw.Length ? 2 : 1;
                bytes.AddRange(System.Text.Encoding.UTF8.GetBytes(raw.ToCharArray(i, length)));
                i += length - 1;
            }
        }

        return [.. bytes];
    }

    /// <summary>S3's rule for names of existing buckets, loose enough for legacy names (<c>BundleInstance</c>'s).</summary>
    public static bool IsPlausibleBucketName(string bucket) => PlausibleBucketName().IsMatch(bucket);

    private static string OperationOf(string method, string? bucket, string? key, S3Query query, bool copySource)
    {
        if (bucket is null)
        {
            return HttpMethods.IsGet(method) ? ListBuckets : MethodNotAllowed;
        }

        if (key is null)
        {
            return BucketOperation(method, query);
        }

        return ObjectOperation(method, query, copySource);
    }

    private static string BucketOperation(string method, S3Query query)
    {
        var subresource = BucketSubresources.Keys.FirstOrDefault(query.Has);
        if (HttpMethods.IsGet(method))
        {
            if (query.Has("location"))
            {
                return GetBucketLocation;
            }

            if (query.Has("uploads"))
            {
                return ListMultipartUploads;
            }

            if (query.Has("versions"))
            {
                return ListObjectVersions;
            }

            if (subresource == "acl")
            {
                return GetBucketAcl;
            }

            if (subresource == "tagging")
            {
                return GetBucketTagging;
            }

            if (subresource is not null)
            {
                var operation = "GetBucket" + BucketSubresources[subresource];
                return S3Operations.BucketConfigurationReads.ContainsKey(operation) ? operation : NotImplementedPrefix + operation;
            }

            return query.Get("list-type") == "2" ? ListObjectsV2 : ListObjects;
        }

        if (HttpMethods.IsHead(method))
        {
            return HeadBucket;
        }

        if (HttpMethods.IsPut(method))
        {
            return subresource switch
            {
                null => CreateBucket,
                "tagging" => PutBucketTagging,
                _ => NotImplementedPrefix + "PutBucket" + BucketSubresources[subresource],
            };
        }

        if (HttpMethods.IsDelete(method))
        {
            return subresource switch
            {
                null => DeleteBucket,
                "tagging" => DeleteBucketTagging,
                _ => NotImplementedPrefix + "DeleteBucket" + BucketSubresources[subresource],
            };
        }

        if (HttpMethods.IsPost(method))
        {
            if (query.Has("delete"))
            {
                return DeleteObjects;
            }

            return query.Parameters.Count == 0 ? PostObject : MethodNotAllowed;
        }

        return MethodNotAllowed;
    }

    private static string ObjectOperation(string method, S3Query query, bool copySource)
    {
        var subresource = ObjectSubresources.Keys.FirstOrDefault(query.Has);
        if (HttpMethods.IsGet(method))
        {
            if (query.Has("uploadId"))
            {
                return ListParts;
            }

            return subresource switch
            {
                null => GetObject,
                "acl" => GetObjectAcl,
                "tagging" => GetObjectTagging,
                _ => NotImplementedPrefix + "GetObject" + ObjectSubresources[subresource],
            };
        }

        if (HttpMethods.IsHead(method))
        {
            return HeadObject;
        }

        if (HttpMethods.IsPut(method))
        {
            if (query.Has("uploadId") || query.Has("partNumber"))
            {
                return copySource ? UploadPartCopy : UploadPart;
            }

            return subresource switch
            {
                null => copySource ? CopyObject : PutObject,
                "tagging" => PutObjectTagging,
                "acl" => PutObjectAcl,
                _ => NotImplementedPrefix + "PutObject" + ObjectSubresources[subresource],
            };
        }

        if (HttpMethods.IsDelete(method))
        {
            if (query.Has("uploadId"))
            {
                return AbortMultipartUpload;
            }

            return query.Has("tagging") ? DeleteObjectTagging : DeleteObject;
        }

        if (HttpMethods.IsPost(method))
        {
            if (query.Has("uploads"))
            {
                return CreateMultipartUpload;
            }

            if (query.Has("uploadId"))
            {
                return CompleteMultipartUpload;
            }

            if (query.Has("restore"))
            {
                return NotImplementedPrefix + "RestoreObject";
            }

            if (query.Has("select"))
            {
                return NotImplementedPrefix + "SelectObjectContent";
            }

            return MethodNotAllowed;
        }

        return MethodNotAllowed;
    }

    [GeneratedRegex(@"^[a-zA-Z0-9._\-]{3,255}$")]
    private static partial Regex PlausibleBucketName();
}
