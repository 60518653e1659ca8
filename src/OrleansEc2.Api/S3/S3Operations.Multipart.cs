using System.Collections.Immutable;
using System.Globalization;
using OrleansEc2.Api.S3.Payload;

namespace OrleansEc2.Api.S3;

/// <summary>Multipart uploads: create, upload part (and part copy), complete, abort, list parts, list uploads.</summary>
internal sealed partial class S3Operations
{
    /// <summary>The largest part (S3's 5 GiB).</summary>
    public const long MaxPartBytes = 5L * 1024 * 1024 * 1024;

    private async Task CreateMultipartUploadAsync(S3RequestContext request)
    {
        RefuseUnsupportedObjectHeaders(request);
        ValidateKeyLength(request.Key);
        await request.VerifyIgnoredBodyAsync();
        string? algorithm = null;
        if (request.Header("x-amz-checksum-algorithm") is { } requested)
        {
            algorithm = (S3ChecksumAlgorithm.FromName(requested)
                ?? throw S3Errors.InvalidRequest("Checksum algorithm provided is unsupported. Please try again with any of the valid types: [CRC32, CRC32C, CRC64NVME, SHA1, SHA256]")).Name;
        }

        var fullObject = ChecksumTypeIsFullObject(request.Header("x-amz-checksum-type"), algorithm);
        var tags = S3Tagging.FromHeader(request.Header(S3Tagging.Header));

        // The bucket grain computes composite checksums only; a full-object upload is recorded without an algorithm (so
        // its parts may carry their CRC) and its checksum is combined from the parts' CRCs when it completes.
        var upload = await BucketGrain(request).CreateMultipartUploadAsync(
            request.AccountId,
            request.Key,
            request.Request.ContentType ?? "",
            UserMetadata(request.Request),
            fullObject ? null : algorithm,
            tags,
            RecordedAcl(request.Header("x-amz-acl")));

        if (algorithm is not null)
        {
            request.Response.Headers["x-amz-checksum-algorithm"] = algorithm;
            request.Response.Headers["x-amz-checksum-type"] = fullObject ? "FULL_OBJECT" : "COMPOSITE";
        }

        var xml = S3Xml.Document("InitiateMultipartUploadResult", 256)
            .Element("Bucket", request.Bucket)
            .Element("Key", upload.Key)
            .Element("UploadId", upload.UploadId)
            .End("InitiateMultipartUploadResult");
        await S3Xml.WriteAsync(request.Response, xml);
    }

    /// <summary>
    /// Whether an upload's checksum is FULL_OBJECT: asked for (CRCs only), or CRC64NVME's default; COMPOSITE otherwise
    /// (SHA1, SHA256 and the CRC32s by default).
    /// </summary>
    private static bool ChecksumTypeIsFullObject(string? checksumType, string? algorithm)
    {
        if (checksumType is not (null or "COMPOSITE" or "FULL_OBJECT"))
        {
            throw S3Errors.InvalidRequest("Value for x-amz-checksum-type header is invalid.");
        }

        if (checksumType is not null && algorithm is null)
        {
            throw S3Errors.InvalidRequest("The x-amz-checksum-type header can only be used with the x-amz-checksum-algorithm header.");
        }

        var isCrc = algorithm is not null && CrcCombination.For(S3ChecksumAlgorithm.FromName(algorithm)!) is not null;
        if (checksumType == "FULL_OBJECT" && !isCrc)
        {
            throw S3Errors.InvalidRequest($"The FULL_OBJECT checksum type cannot be used with the {algorithm!.ToLowerInvariant()} checksum algorithm.");
        }

        if (checksumType == "COMPOSITE" && algorithm == S3ChecksumAlgorithm.Crc64Nvme.Name)
        {
            throw S3Errors.InvalidRequest("The COMPOSITE checksum type cannot be used with the crc64nvme checksum algorithm.");
        }

        return checksumType == "FULL_OBJECT" || algorithm == S3ChecksumAlgorithm.Crc64Nvme.Name;
    }

    private async Task UploadPartAsync(S3RequestContext request)
    {
        var (partNumber, uploadId) = PartAddress(request);
        var bucket = BucketGrain(request);
        await bucket.GetInfoAsync(request.AccountId);
        var (blob, checksum) = await StoreBodyAsync(request, MaxPartBytes);
        var part = await bucket.UploadPartAsync(request.AccountId, request.Key, uploadId, partNumber, blob, checksum);
        request.Response.Headers.ETag = S3Xml.QuotedETag(part.ETag);
        if (part.Checksum is not null && S3ChecksumAlgorithm.FromName(part.Checksum.Algorithm) is { } algorithm)
        {
            request.Response.Headers[algorithm.HeaderName] = part.Checksum.Value;
        }

        request.Response.StatusCode = 200;
        request.Response.ContentLength = 0;
    }

    /// <summary>
    /// A part from an existing object: the whole object is its blob as it is; a range (<c>x-amz-copy-source-range</c>)
    /// is read into a new blob.
    /// </summary>
    private async Task UploadPartCopyAsync(S3RequestContext request)
    {
        var (partNumber, uploadId) = PartAddress(request);
        await request.VerifyIgnoredBodyAsync();
        var (sourceBucket, sourceKey) = ParseCopySource(request.Header("x-amz-copy-source")!);
        var source = await BucketGrain(sourceBucket).GetObjectAsync(request.AccountId, sourceKey);
        CheckCopySourcePreconditions(request, source);

        var bucket = BucketGrain(request);
        var upload = (await bucket.ListMultipartUploadsAsync(request.AccountId, request.Key)).FirstOrDefault(u => u.UploadId == uploadId && u.Key == request.Key)
            ?? throw new Ec2Exception(
                Ec2ErrorCodes.NoSuchUpload,
                "The specified upload does not exist. The upload ID may be invalid, or the upload may have been aborted or completed.");

        var blob = source.Blob;
        if (request.Header("x-amz-copy-source-range") is { } rangeHeader)
        {
            var range = ParseCopySourceRange(rangeHeader, source.Size);
            await using var slice = blobs.OpenRead(source.Blob.Hash);
            slice.Seek(range.First, SeekOrigin.Begin);
            await using var bounded = new BoundedReadStream(slice, range.Length);
            blob = await blobs.PutAsync(bounded, request.Aborted);
        }

        ObjectChecksum? checksum = null;
        if (S3ChecksumAlgorithm.FromName(upload.ChecksumAlgorithm) is { } algorithm)
        {
            checksum = new ObjectChecksum(algorithm.Name, await ComputeChecksumAsync(algorithm, blob.Hash, 0, blob.Length, request.Aborted));
        }

        var part = await bucket.UploadPartAsync(request.AccountId, request.Key, uploadId, partNumber, blob, checksum);
        var xml = S3Xml.Document("CopyPartResult", 256)
            .Element("LastModified", S3Xml.Timestamp(part.LastModified))
            .Element("ETag", S3Xml.QuotedETag(part.ETag));
        ChecksumElements(xml, part.Checksum, withType: false).End("CopyPartResult");
        await S3Xml.WriteAsync(request.Response, xml);
    }

    private async Task CompleteMultipartUploadAsync(S3RequestContext request)
    {
        var uploadId = request.Query.Get("uploadId")!;
        var condition = WriteConditionOf(request);
        // An x-amz-checksum-* header here is the whole object's (checked when a full-object upload completes), not the XML's.
        var root = S3Xml.Parse(await request.ReadSmallBodyAsync(checksumHeadersDescribeBody: false));
        if (root.Name.LocalName != "CompleteMultipartUpload")
        {
            throw S3Errors.MalformedXml();
        }

        var parts = new List<(CompletedPart Part, Dictionary<string, string> Checksums)>();
        foreach (var element in S3Xml.Children(root, "Part"))
        {
            var numberText = S3Xml.ChildValue(element, "PartNumber")?.Trim();
            var etag = S3Xml.ChildValue(element, "ETag")?.Trim();
            if (numberText is null || etag is null
                || !int.TryParse(numberText, NumberStyles.None, CultureInfo.InvariantCulture, out var number))
            {
                throw S3Errors.MalformedXml();
            }

            // One value per checksum element: a part naming ChecksumCRC32 twice does not validate against S3's schema.
            var checksums = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var checksum in element.Elements().Where(e => e.Name.LocalName.StartsWith("Checksum", StringComparison.Ordinal) && e.Name.LocalName != "ChecksumType"))
            {
                if (!checksums.TryAdd(checksum.Name.LocalName, checksum.Value.Trim()))
                {
                    throw S3Errors.MalformedXml();
                }
            }

            parts.Add((new CompletedPart(number, etag), checksums));
        }

        if (parts.Count > 10_000)
        {
            throw S3Errors.MalformedXml();
        }

        var bucket = BucketGrain(request);
        var uploaded = (await bucket.ListPartsAsync(request.AccountId, request.Key, uploadId)).ToDictionary(p => p.PartNumber);
        CheckPartChecksums(uploaded, parts);
        var upload = (await bucket.ListMultipartUploadsAsync(request.AccountId, request.Key)).FirstOrDefault(u => u.UploadId == uploadId);
        var fullObject = upload is { ChecksumAlgorithm: null } ? FullObjectChecksum(request, uploaded, parts) : null;

        var stored = await ConditionallyAsync(condition, () => bucket.CompleteMultipartUploadAsync(
            request.AccountId, request.Key, uploadId, [.. parts.Select(p => p.Part)], fullObject, condition));
        var location = $"{request.Request.Scheme}://{request.Request.Host}/{Auth.SigV4.UriEncode(request.Bucket, false)}/{Auth.SigV4.UriEncode(request.Key, true)}";
        var xml = S3Xml.Document("CompleteMultipartUploadResult", 512)
            .Element("Location", location)
            .Element("Bucket", request.Bucket)
            .Element("Key", stored.Key)
            .Element("ETag", S3Xml.QuotedETag(stored.ETag));
        ChecksumElements(xml, stored.Checksum, withType: true).End("CompleteMultipartUploadResult");
        await S3Xml.WriteAsync(request.Response, xml);
    }

    /// <summary>S3 refuses a completion whose part list names a checksum other than the part's own.</summary>
    private static void CheckPartChecksums(
        Dictionary<int, UploadedPart> uploaded,
        List<(CompletedPart Part, Dictionary<string, string> Checksums)> parts)
    {
        foreach (var (part, checksums) in parts)
        {
            if (!uploaded.TryGetValue(part.PartNumber, out var stored))
            {
                continue;
            }

            foreach (var (element, value) in checksums)
            {
                var matches = stored.Checksum is not null
                    && S3ChecksumAlgorithm.FromName(stored.Checksum.Algorithm)?.ElementName == element
                    && stored.Checksum.Value == value;
                if (!matches)
                {
                    throw new Ec2Exception(
                        Ec2ErrorCodes.InvalidPart,
                        $"One or more of the specified parts could not be found. The part may not have been uploaded, or the specified entity tag may not match the part's entity tag (part {part.PartNumber}: its {element} does not match).");
                }
            }
        }
    }

    /// <summary>
    /// A full-object upload's checksum: the CRC of the whole object, combined from the chosen parts' CRCs and lengths
    /// (null when the parts do not all carry the same CRC). A value the client sends for the whole object must match it.
    /// </summary>
    private static ObjectChecksum? FullObjectChecksum(
        S3RequestContext request,
        Dictionary<int, UploadedPart> uploaded,
        List<(CompletedPart Part, Dictionary<string, string> Checksums)> parts)
    {
        var chosen = parts.Select(p => uploaded.GetValueOrDefault(p.Part.PartNumber)).ToList();
        var algorithm = S3ChecksumAlgorithm.FromName(chosen.FirstOrDefault()?.Checksum?.Algorithm);
        var combination = algorithm is null ? null : CrcCombination.For(algorithm);
        if (combination is null || chosen.Any(p => p?.Checksum is null || S3ChecksumAlgorithm.FromName(p.Checksum.Algorithm) != algorithm))
        {
            return null;
        }

        var value = combination.CombineBase64(chosen.Select(p => (p!.Checksum!.Value, p.Blob.Length)));
        if (request.Header(algorithm!.HeaderName) is { } sent && sent.Trim() != value)
        {
            throw new Ec2Exception(Ec2ErrorCodes.BadDigest, $"The {algorithm.Name} you specified for the whole object did not match the checksum of its parts.");
        }

        return new ObjectChecksum(algorithm.Name, value);
    }

    private async Task AbortMultipartUploadAsync(S3RequestContext request)
    {
        await request.VerifyIgnoredBodyAsync();
        await BucketGrain(request).AbortMultipartUploadAsync(request.AccountId, request.Key, request.Query.Get("uploadId")!);
        request.Response.StatusCode = 204;
    }

    private async Task ListPartsAsync(S3RequestContext request)
    {
        await request.VerifyIgnoredBodyAsync();
        var uploadId = request.Query.Get("uploadId")!;
        var maxParts = ParseInt(request.Query.Get("max-parts"), "max-parts", 1000, 0, 1000);
        var marker = ParseInt(request.Query.Get("part-number-marker"), "part-number-marker", 0, 0, int.MaxValue);
        var bucket = BucketGrain(request);
        var all = await bucket.ListPartsAsync(request.AccountId, request.Key, uploadId);
        var upload = (await bucket.ListMultipartUploadsAsync(request.AccountId, request.Key)).FirstOrDefault(u => u.UploadId == uploadId);
        var remaining = all.Where(p => p.PartNumber > marker).ToList();
        var page = remaining.Take(maxParts).ToList();
        var truncated = remaining.Count > page.Count;

        var xml = S3Xml.Document("ListPartsResult", 512 + (page.Count * 200))
            .Element("Bucket", request.Bucket)
            .Element("Key", request.Key)
            .Element("UploadId", uploadId);
        var initiator = upload?.InitiatorId ?? request.AccountId;
        await OwnerAsync(xml, "Initiator", initiator);
        await OwnerAsync(xml, "Owner", initiator);
        xml.Element("StorageClass", DefaultStorageClass)
            .Element("PartNumberMarker", marker)
            .Element("NextPartNumberMarker", page.Count > 0 ? page[^1].PartNumber : marker)
            .Element("MaxParts", maxParts)
            .Element("IsTruncated", truncated);
        if (upload?.ChecksumAlgorithm is { } algorithm)
        {
            xml.Element("ChecksumAlgorithm", algorithm).Element("ChecksumType", "COMPOSITE");
        }

        foreach (var part in page)
        {
            xml.Start("Part")
                .Element("PartNumber", part.PartNumber)
                .Element("LastModified", S3Xml.Timestamp(part.LastModified))
                .Element("ETag", S3Xml.QuotedETag(part.ETag))
                .Element("Size", part.Blob.Length);
            ChecksumElements(xml, part.Checksum, withType: false).End("Part");
        }

        xml.End("ListPartsResult");
        await S3Xml.WriteAsync(request.Response, xml);
    }

    private async Task ListMultipartUploadsAsync(S3RequestContext request)
    {
        await request.VerifyIgnoredBodyAsync();
        var prefix = request.Query.Get("prefix") ?? "";
        var delimiter = request.Query.Get("delimiter") is { Length: > 0 } d ? d : null;
        var maxUploads = ParseInt(request.Query.Get("max-uploads"), "max-uploads", 1000, 0, 1000);
        var keyMarker = request.Query.Get("key-marker");
        var uploadIdMarker = keyMarker is null ? null : request.Query.Get("upload-id-marker");
        var encodeUrl = EncodingTypeIsUrl(request);

        var uploads = await BucketGrain(request).ListMultipartUploadsAsync(request.AccountId, prefix.Length == 0 ? null : prefix);
        var start = 0;
        if (keyMarker is not null)
        {
            var afterMarker = uploads.Select((u, i) => (u, i)).FirstOrDefault(x => uploadIdMarker is not null && x.u.Key == keyMarker && x.u.UploadId == uploadIdMarker);
            start = afterMarker.u is not null
                ? afterMarker.i + 1
                : uploads.Count(u => KeyOrder.Compare(u.Key, keyMarker) <= 0);
        }

        var entries = new List<MultipartUploadInfo>();
        var commonPrefixes = new List<string>();
        string? lastCommonPrefix = null;
        var truncated = false;
        MultipartUploadInfo? lastUpload = null;
        for (var i = start; i < uploads.Length; i++)
        {
            var upload = uploads[i];
            var rollUp = delimiter is null ? -1 : upload.Key.IndexOf(delimiter, prefix.Length, StringComparison.Ordinal);
            var commonPrefix = rollUp < 0 ? null : upload.Key[..(rollUp + delimiter!.Length)];
            if (commonPrefix is not null && commonPrefix == lastCommonPrefix)
            {
                continue;
            }

            if (entries.Count + commonPrefixes.Count == maxUploads)
            {
                truncated = true;
                break;
            }

            if (commonPrefix is not null)
            {
                commonPrefixes.Add(commonPrefix);
                lastCommonPrefix = commonPrefix;
            }
            else
            {
                entries.Add(upload);
                lastUpload = upload;
            }
        }

        var xml = S3Xml.Document("ListMultipartUploadsResult", 512 + (entries.Count * 300))
            .Element("Bucket", request.Bucket)
            .Element("KeyMarker", Encode(keyMarker ?? "", encodeUrl))
            .Element("UploadIdMarker", uploadIdMarker ?? "");
        if (truncated)
        {
            xml.Element("NextKeyMarker", Encode(lastCommonPrefix is not null && (lastUpload is null || KeyOrder.Compare(lastCommonPrefix, lastUpload.Key) > 0) ? lastCommonPrefix : lastUpload?.Key ?? "", encodeUrl))
                .Element("NextUploadIdMarker", lastUpload?.UploadId ?? "");
        }

        xml.Element("Prefix", Encode(prefix, encodeUrl))
            .Element("Delimiter", delimiter is null ? null : Encode(delimiter, encodeUrl))
            .Element("MaxUploads", maxUploads)
            .Element("IsTruncated", truncated);
        if (encodeUrl)
        {
            xml.Element("EncodingType", "url");
        }

        foreach (var upload in entries)
        {
            xml.Start("Upload")
                .Element("Key", Encode(upload.Key, encodeUrl))
                .Element("UploadId", upload.UploadId);
            await OwnerAsync(xml, "Initiator", upload.InitiatorId);
            await OwnerAsync(xml, "Owner", upload.InitiatorId);
            xml.Element("StorageClass", DefaultStorageClass)
                .Element("Initiated", S3Xml.Timestamp(upload.Initiated));
            if (upload.ChecksumAlgorithm is { } algorithm)
            {
                xml.Element("ChecksumAlgorithm", algorithm).Element("ChecksumType", "COMPOSITE");
            }

            xml.End("Upload");
        }

        foreach (var commonPrefix in commonPrefixes)
        {
            xml.Start("CommonPrefixes").Element("Prefix", Encode(commonPrefix, encodeUrl)).End("CommonPrefixes");
        }

        xml.End("ListMultipartUploadsResult");
        await S3Xml.WriteAsync(request.Response, xml);
    }

    private static (int PartNumber, string UploadId) PartAddress(S3RequestContext request)
    {
        var uploadId = request.Query.Get("uploadId");
        var partText = request.Query.Get("partNumber");
        if (string.IsNullOrEmpty(uploadId) || partText is null)
        {
            throw S3Errors.InvalidRequest("An upload part needs both the uploadId and the partNumber query parameters.");
        }

        if (!int.TryParse(partText, NumberStyles.None, CultureInfo.InvariantCulture, out var partNumber) || partNumber is < 1 or > 10_000)
        {
            throw S3Errors.InvalidArgument("Part number must be an integer between 1 and 10000, inclusive");
        }

        return (partNumber, uploadId);
    }

    private static ByteRange ParseCopySourceRange(string header, long size)
    {
        var value = header.Trim();
        const string Prefix = "bytes=";
        var dash = value.IndexOf('-');
        if (!value.StartsWith(Prefix, StringComparison.Ordinal) || dash < 0
            || !long.TryParse(value.AsSpan(Prefix.Length, dash - Prefix.Length), NumberStyles.None, CultureInfo.InvariantCulture, out var first)
            || !long.TryParse(value.AsSpan(dash + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var last)
            || last < first)
        {
            throw S3Errors.InvalidArgument("The x-amz-copy-source-range value must be of the form bytes=first-last where first and last are the zero-based offsets of the first and last bytes to copy");
        }

        if (last >= size)
        {
            throw S3Errors.InvalidArgument($"Range specified is not valid for source object of size: {size}");
        }

        return new ByteRange(first, last);
    }

    private static bool EncodingTypeIsUrl(S3RequestContext request)
    {
        var encoding = request.Query.Get("encoding-type");
        if (encoding is null)
        {
            return false;
        }

        return encoding == "url" ? true : throw S3Errors.InvalidArgument("Invalid Encoding Method specified in Request");
    }

    /// <summary>A name as <c>encoding-type=url</c> answers it: percent-encoded UTF-8, <c>/</c> kept.</summary>
    private static string Encode(string value, bool url) => url ? Auth.SigV4.UriEncode(value, keepSlash: true) : value;

    /// <summary>A read of at most <c>length</c> bytes of another stream (a byte range of a blob).</summary>
    private sealed class BoundedReadStream(Stream inner, long length) : Stream
    {
        private readonly long _length = length;
        private long _remaining = length;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => _length;

        public override long Position
        {
            get => _length - _remaining;
            set => throw new NotSupportedException();
        }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            var read = _remaining == 0 ? 0 : inner.Read(buffer[..(int)Math.Min(buffer.Length, _remaining)]);
            _remaining -= read;
            return read;
        }

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            var read = _remaining == 0 ? 0 : await inner.ReadAsync(buffer[..(int)Math.Min(buffer.Length, _remaining)], cancellationToken);
            _remaining -= read;
            return read;
        }

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
