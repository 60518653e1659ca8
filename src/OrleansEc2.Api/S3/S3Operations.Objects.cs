using System.Buffers;
using System.Collections.Immutable;
using System.Globalization;
using System.Text;
using Microsoft.AspNetCore.Http;
using OrleansEc2.Api.Auth;
using OrleansEc2.Api.S3.Payload;

namespace OrleansEc2.Api.S3;

/// <summary>Object operations: PutObject, GetObject/HeadObject, DeleteObject(s), CopyObject.</summary>
internal sealed partial class S3Operations
{
    private const int MaxKeyBytes = 1024;
    private const int CopyBufferSize = 64 * 1024;
    private const string ChecksumModeHeader = "x-amz-checksum-mode";

    private static readonly (string Query, string Header)[] ResponseOverrides =
    [
        ("response-content-type", "Content-Type"),
        ("response-content-language", "Content-Language"),
        ("response-expires", "Expires"),
        ("response-cache-control", "Cache-Control"),
        ("response-content-disposition", "Content-Disposition"),
        ("response-content-encoding", "Content-Encoding"),
    ];

    private async Task PutObjectAsync(S3RequestContext request)
    {
        RefuseUnsupportedObjectHeaders(request);
        ValidateKeyLength(request.Key);
        var metadata = UserMetadata(request.Request);
        var tags = S3Tagging.FromHeader(request.Header(S3Tagging.Header));
        var condition = WriteConditionOf(request);
        var bucket = BucketGrain(request);

        // Refused before the body streams: a missing or foreign bucket, or a condition that fails now, should not cost an
        // upload. The condition is decided again with the write; failing then, another write got in between (409).
        if (condition is null)
        {
            await bucket.GetInfoAsync(request.AccountId);
        }
        else
        {
            await ConditionallyAsync(condition, () => bucket.CheckWriteConditionAsync(request.AccountId, request.Key, condition));
            condition = condition with { CheckedBefore = true };
        }

        var (blob, checksum) = await StoreBodyAsync(request, MaxSinglePutBytes);
        var stored = await ConditionallyAsync(condition, () => bucket.PutObjectAsync(
            request.AccountId,
            new PutObjectRequest(request.Key, blob, request.Request.ContentType ?? "", metadata, checksum, tags, condition, RecordedAcl(request.Header("x-amz-acl")))));

        request.Response.Headers.ETag = S3Xml.QuotedETag(stored.ETag);
        SetChecksumHeaders(request.Response, stored.Checksum);
        request.Response.StatusCode = 200;
        request.Response.ContentLength = 0;
    }

    private static ObjectWriteCondition? WriteConditionOf(S3RequestContext request) =>
        S3Preconditions.WriteCondition(request.Header("If-Match"), request.Header("If-None-Match"));

    /// <summary>Runs a write that <paramref name="condition"/> guards; its precondition failure names the condition, as S3's does.</summary>
    private static async Task<T> ConditionallyAsync<T>(ObjectWriteCondition? condition, Func<Task<T>> write)
    {
        try
        {
            return await write();
        }
        catch (Ec2Exception e) when (condition is not null)
        {
            throw S3Preconditions.NamingCondition(e, condition);
        }
    }

    private static Task ConditionallyAsync(ObjectWriteCondition condition, Func<Task> check) =>
        ConditionallyAsync(condition, async () =>
        {
            await check();
            return true;
        });

    /// <summary>Streams the verified body into the blob store; the blob is whole and checked when this returns.</summary>
    private async Task<(BlobInfo Blob, ObjectChecksum? Checksum)> StoreBodyAsync(S3RequestContext request, long maxLength)
    {
        await using var payload = request.OpenPayload(maxLength);
        var blob = await blobs.PutAsync(payload, request.Aborted);
        return (blob, payload.VerifiedChecksum);
    }

    private async Task GetObjectAsync(S3RequestContext request)
    {
        await request.VerifyIgnoredBodyAsync();
        RefuseVersionId(request.Query.Get("versionId"));
        var overrides = ResponseOverridesOf(request);
        var info = await BucketGrain(request).GetObjectAsync(request.AccountId, request.Key);
        var response = request.Response;

        var outcome = S3Preconditions.Evaluate(
            info.ETag,
            info.LastModified,
            request.Header("If-Match"),
            request.Header("If-None-Match"),
            request.Header("If-Modified-Since"),
            request.Header("If-Unmodified-Since"),
            isRead: true);
        if (outcome == PreconditionOutcome.Failed)
        {
            throw new Ec2Exception(Ec2ErrorCodes.PreconditionFailed, "At least one of the pre-conditions you specified did not hold");
        }

        response.Headers.ETag = S3Xml.QuotedETag(info.ETag);
        response.Headers.LastModified = S3Xml.HttpDate(info.LastModified);
        if (outcome == PreconditionOutcome.NotModified)
        {
            response.StatusCode = 304;
            return;
        }

        ByteRange? range = null;
        int? partNumber = null;
        if (request.Query.Get("partNumber") is { } partText)
        {
            // A part is a ranged read of where the upload laid it (206 even when it is the whole object, as S3 does).
            partNumber = ParseInt(partText, "partNumber", 1, 1, 10_000);
            if (request.Header("Range") is not null)
            {
                throw S3Errors.InvalidRequest("Cannot specify both Range header and partNumber query parameter");
            }

            var part = info.PartRange(partNumber.Value)
                ?? throw new Ec2Exception(S3Errors.InvalidPartNumber, "The requested partnumber is not satisfiable");
            range = part.Length == 0 ? null : new ByteRange(part.First, part.First + part.Length - 1);
            if (info.PartsCount is { } partsCount)
            {
                response.Headers["x-amz-mp-parts-count"] = partsCount.ToString(CultureInfo.InvariantCulture);
            }
        }
        else
        {
            range = ByteRange.Parse(request.Header("Range"), info.Size, out var unsatisfiable);
            if (unsatisfiable)
            {
                response.Headers.ContentRange = $"bytes */{info.Size}";
                throw new Ec2Exception(Ec2ErrorCodes.InvalidRange, "The requested range is not satisfiable");
            }
        }

        // Stored as the client sent them, which may be UTF-8 text no response header can carry as it is.
        response.ContentType = S3Xml.HeaderValue(info.ContentType);
        response.Headers.AcceptRanges = "bytes";
        if (info.TagCount > 0)
        {
            response.Headers[S3Tagging.CountHeader] = info.TagCount.ToString(CultureInfo.InvariantCulture);
        }

        foreach (var (name, value) in info.UserMetadata)
        {
            response.Headers["x-amz-meta-" + name] = S3Xml.HeaderValue(value);
        }

        if (string.Equals(request.Header(ChecksumModeHeader), "ENABLED", StringComparison.OrdinalIgnoreCase))
        {
            SetReadChecksumHeaders(response, info, partNumber, range);
        }

        foreach (var (header, value) in overrides)
        {
            response.Headers[header] = value;
        }

        var first = range?.First ?? 0;
        var length = range?.Length ?? info.Size;
        if (range is { } r)
        {
            response.StatusCode = 206;
            response.Headers.ContentRange = $"bytes {r.First}-{r.Last}/{info.Size}";
        }
        else
        {
            response.StatusCode = 200;
        }

        response.ContentLength = length;
        if (request.IsHead || length == 0)
        {
            return;
        }

        await CopyBlobAsync(info.Blob.Hash, first, length, response.Body, request.Aborted);
    }

    /// <summary>
    /// The checksum a read with <c>x-amz-checksum-mode: ENABLED</c> answers, as S3 does: a part of a COMPOSITE multipart
    /// object answers that part's own checksum (type COMPOSITE); any read of all the bytes — no range, or a range or part
    /// that is the whole object — the object's; a read of some of them nothing, as no stored checksum covers them. A
    /// composite object's one part is never answered the composite: without the part's checksum (an object completed
    /// before they were kept), nothing.
    /// </summary>
    private static void SetReadChecksumHeaders(HttpResponse response, S3ObjectInfo info, int? partNumber, ByteRange? range)
    {
        if (partNumber is { } part && info.PartChecksum(part) is { } partChecksum)
        {
            SetChecksumHeaders(response, partChecksum, "COMPOSITE");
            return;
        }

        if (partNumber is not null && info.Checksum is { } checksum && ChecksumType(checksum) == "COMPOSITE")
        {
            return;
        }

        if (range is null || range.Value.Length == info.Size)
        {
            SetChecksumHeaders(response, info.Checksum);
        }
    }

    /// <summary>
    /// The <c>response-*</c> overrides as the headers they set. A value with a control character cannot be a header
    /// (the server would fail writing it): <c>InvalidArgument</c>, before anything is read. Other non-ASCII text is sent
    /// RFC 2047-encoded, as S3 sends non-ASCII metadata.
    /// </summary>
    private static List<(string Header, string Value)> ResponseOverridesOf(S3RequestContext request)
    {
        var overrides = new List<(string Header, string Value)>();
        foreach (var (query, header) in ResponseOverrides)
        {
            if (request.Query.Get(query) is not { } value)
            {
                continue;
            }

            if (value.Any(c => char.IsControl(c) && c != '\t'))
            {
                throw S3Errors.InvalidArgument($"The {query} parameter must be a valid HTTP header value: it contains a control character.");
            }

            overrides.Add((header, S3Xml.HeaderValue(value)));
        }

        return overrides;
    }

    private async Task CopyBlobAsync(string hash, long first, long length, Stream destination, CancellationToken cancellationToken)
    {
        await using var source = blobs.OpenRead(hash);
        source.Seek(first, SeekOrigin.Begin);
        var buffer = ArrayPool<byte>.Shared.Rent(CopyBufferSize);
        try
        {
            var remaining = length;
            while (remaining > 0)
            {
                var read = await source.ReadAsync(buffer.AsMemory(0, (int)Math.Min(buffer.Length, remaining)), cancellationToken);
                if (read == 0)
                {
                    throw new InvalidOperationException($"Blob {hash} ended {remaining} bytes before its recorded length.");
                }

                await destination.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
                remaining -= read;
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private async Task DeleteObjectAsync(S3RequestContext request)
    {
        await request.VerifyIgnoredBodyAsync();
        RefuseVersionId(request.Query.Get("versionId"));
        await BucketGrain(request).DeleteObjectAsync(request.AccountId, request.Key);
        request.Response.StatusCode = 204;
    }

    private async Task DeleteObjectsAsync(S3RequestContext request)
    {
        var expectations = PayloadExpectations.FromHeaders(request.Request, request.Caller.PayloadMode);
        if (!expectations.HasIntegrityCheck)
        {
            throw S3Errors.InvalidRequest("Missing required header for this request: Content-MD5 OR x-amz-checksum-*");
        }

        var root = S3Xml.Parse(await request.ReadSmallBodyAsync());
        if (root.Name.LocalName != "Delete")
        {
            throw S3Errors.MalformedXml();
        }

        var quiet = string.Equals(S3Xml.ChildValue(root, "Quiet")?.Trim(), "true", StringComparison.OrdinalIgnoreCase);
        var objects = S3Xml.Children(root, "Object").ToList();
        if (objects.Count is 0 or > 1000)
        {
            throw S3Errors.MalformedXml();
        }

        var requested = new List<(string Key, string? VersionId)>(objects.Count);
        foreach (var element in objects)
        {
            var key = S3Xml.ChildValue(element, "Key") ?? throw S3Errors.MalformedXml();
            requested.Add((key, S3Xml.ChildValue(element, "VersionId")));
        }

        var deletable = requested.Where(r => r.VersionId is null or "null").Select(r => r.Key).ToImmutableArray();
        var results = deletable.IsEmpty ? [] : await BucketGrain(request).DeleteObjectsAsync(request.AccountId, deletable);

        var xml = S3Xml.Document("DeleteResult", 128 + (requested.Count * 96));
        var next = 0;
        foreach (var (key, versionId) in requested)
        {
            if (versionId is not (null or "null"))
            {
                xml.Start("Error").Element("Key", key).Element("VersionId", versionId)
                    .Element("Code", Ec2ErrorCodes.InvalidArgument).Element("Message", "Invalid version id specified").End("Error");
                continue;
            }

            var result = results[next++];
            if (result.ErrorCode is { } code)
            {
                xml.Start("Error").Element("Key", result.Key).Element("Code", code).Element("Message", result.ErrorMessage).End("Error");
            }
            else if (!quiet)
            {
                xml.Start("Deleted").Element("Key", result.Key).End("Deleted");
            }
        }

        xml.End("DeleteResult");
        await S3Xml.WriteAsync(request.Response, xml);
    }

    private async Task CopyObjectAsync(S3RequestContext request)
    {
        RefuseUnsupportedObjectHeaders(request);
        ValidateKeyLength(request.Key);
        await request.VerifyIgnoredBodyAsync();
        var (sourceBucket, sourceKey) = ParseCopySource(request.Header("x-amz-copy-source")!);
        var directive = request.Header("x-amz-metadata-directive") ?? "COPY";
        if (directive is not ("COPY" or "REPLACE"))
        {
            throw S3Errors.InvalidArgument("Unknown metadata directive.").WithElement("ArgumentName", "x-amz-metadata-directive").WithElement("ArgumentValue", directive);
        }

        var taggingDirective = request.Header(S3Tagging.DirectiveHeader) ?? "COPY";
        if (taggingDirective is not ("COPY" or "REPLACE"))
        {
            throw S3Errors.InvalidArgument("Unknown tagging directive.").WithElement("ArgumentName", S3Tagging.DirectiveHeader).WithElement("ArgumentValue", taggingDirective);
        }

        var requestedTags = S3Tagging.FromHeader(request.Header(S3Tagging.Header));
        var condition = WriteConditionOf(request);
        var source = await BucketGrain(sourceBucket).GetObjectAsync(request.AccountId, sourceKey);
        CheckCopySourcePreconditions(request, source);
        var replace = directive == "REPLACE";
        if (!replace && sourceBucket == request.Bucket && sourceKey == request.Key && request.Header("x-amz-checksum-algorithm") is null)
        {
            throw S3Errors.InvalidRequest(
                "This copy request is illegal because it is trying to copy an object to itself without changing the object's metadata, storage class, website redirect location or encryption attributes.");
        }

        var contentType = replace ? request.Request.ContentType ?? "" : source.ContentType;
        var metadata = replace ? UserMetadata(request.Request) : source.UserMetadata;
        var tags = taggingDirective == "REPLACE" ? requestedTags : source.Tags;
        var checksum = await ChecksumOfCopyAsync(request, source.Blob, source.Checksum);

        // The copy is the same blob under a new key: nothing is copied but the metadata. A destination condition is
        // decided by the bucket grain with the write. As in S3, the copy's ACL is the request's, never the source's.
        var stored = await ConditionallyAsync(condition, () => BucketGrain(request).PutObjectAsync(
            request.AccountId,
            new PutObjectRequest(request.Key, source.Blob, contentType, metadata, checksum, tags, condition, RecordedAcl(request.Header("x-amz-acl")))));

        var xml = S3Xml.Document("CopyObjectResult", 256)
            .Element("LastModified", S3Xml.Timestamp(stored.LastModified))
            .Element("ETag", S3Xml.QuotedETag(stored.ETag));
        ChecksumElements(xml, stored.Checksum, withType: true).End("CopyObjectResult");
        await S3Xml.WriteAsync(request.Response, xml);
    }

    /// <summary>
    /// The checksum a copy carries: the algorithm the request asks for, else the source's; a whole-object value is kept,
    /// any other (a multipart composite, another algorithm) is computed over the bytes.
    /// </summary>
    private async Task<ObjectChecksum?> ChecksumOfCopyAsync(S3RequestContext request, BlobInfo blob, ObjectChecksum? sourceChecksum)
    {
        var requested = request.Header("x-amz-checksum-algorithm");
        var algorithm = requested is null
            ? S3ChecksumAlgorithm.FromName(sourceChecksum?.Algorithm)
            : S3ChecksumAlgorithm.FromName(requested) ?? throw S3Errors.InvalidRequest("Checksum algorithm provided is unsupported. Please try again with any of the valid types: [CRC32, CRC32C, CRC64NVME, SHA1, SHA256]");
        if (algorithm is null)
        {
            return null;
        }

        if (sourceChecksum is not null
            && S3ChecksumAlgorithm.FromName(sourceChecksum.Algorithm) == algorithm
            && !sourceChecksum.Value.Contains('-', StringComparison.Ordinal))
        {
            return sourceChecksum;
        }

        return new ObjectChecksum(algorithm.Name, await ComputeChecksumAsync(algorithm, blob.Hash, 0, blob.Length, request.Aborted));
    }

    private async Task<string> ComputeChecksumAsync(S3ChecksumAlgorithm algorithm, string hash, long first, long length, CancellationToken cancellationToken)
    {
        using var computation = algorithm.Start();
        await using var source = blobs.OpenRead(hash);
        source.Seek(first, SeekOrigin.Begin);
        var buffer = ArrayPool<byte>.Shared.Rent(CopyBufferSize * 4);
        try
        {
            var remaining = length;
            while (remaining > 0)
            {
                var read = await source.ReadAsync(buffer.AsMemory(0, (int)Math.Min(buffer.Length, remaining)), cancellationToken);
                if (read == 0)
                {
                    throw new InvalidOperationException($"Blob {hash} ended {remaining} bytes before its recorded length.");
                }

                computation.Append(buffer.AsSpan(0, read));
                remaining -= read;
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }

        return computation.GetBase64();
    }

    private static void CheckCopySourcePreconditions(S3RequestContext request, S3ObjectInfo source)
    {
        var outcome = S3Preconditions.Evaluate(
            source.ETag,
            source.LastModified,
            request.Header("x-amz-copy-source-if-match"),
            request.Header("x-amz-copy-source-if-none-match"),
            request.Header("x-amz-copy-source-if-modified-since"),
            request.Header("x-amz-copy-source-if-unmodified-since"),
            isRead: true);
        if (outcome != PreconditionOutcome.Proceed)
        {
            throw new Ec2Exception(Ec2ErrorCodes.PreconditionFailed, "At least one of the pre-conditions you specified did not hold");
        }
    }

    /// <summary>
    /// <c>x-amz-copy-source</c>: <c>[/]bucket/key[?versionId=…]</c>, URL-encoded. Only the <c>null</c> version exists here.
    /// </summary>
    private static (string Bucket, string Key) ParseCopySource(string header)
    {
        var value = header.Trim();
        var question = value.IndexOf('?');
        if (question >= 0)
        {
            var query = SigV4.ParseQuery(value[(question + 1)..]);
            RefuseVersionId(query.FirstOrDefault(p => p.Key == "versionId").Value);
            value = value[..question];
        }

        var decoded = S3Route.DecodeName(value).TrimStart('/');
        var slash = decoded.IndexOf('/');
        if (slash <= 0 || slash == decoded.Length - 1)
        {
            throw S3Errors.InvalidArgument("Copy Source must mention the source bucket and key: sourcebucket/sourcekey");
        }

        var bucket = decoded[..slash];
        if (!S3Route.IsPlausibleBucketName(bucket))
        {
            throw new Ec2Exception(Ec2ErrorCodes.InvalidBucketName, $"The specified bucket is not valid: '{bucket}'.");
        }

        return (bucket, decoded[(slash + 1)..]);
    }

    private static void ValidateKeyLength(string key)
    {
        var bytes = Encoding.UTF8.GetByteCount(key);
        if (bytes > MaxKeyBytes)
        {
            throw new Ec2Exception(Ec2ErrorCodes.KeyTooLongError, $"Your key is too long: {bytes} bytes; the most is {MaxKeyBytes}.");
        }
    }
}
