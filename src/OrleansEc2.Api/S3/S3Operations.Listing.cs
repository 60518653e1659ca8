namespace OrleansEc2.Api.S3;

/// <summary>
/// ListObjects (v1: marker), ListObjectsV2 (continuation-token, start-after, fetch-owner), and ListObjectVersions over
/// buckets whose versioning was never enabled: each object its one version, <c>null</c>, the latest.
/// </summary>
internal sealed partial class S3Operations
{
    private const int DefaultMaxKeys = 1000;

    private async Task ListObjectsAsync(S3RequestContext request, bool version2)
    {
        await request.VerifyIgnoredBodyAsync();
        var query = request.Query;
        var (prefix, delimiter, maxKeys, encodeUrl) = ListingParameters.Read(request);

        string? startAfter;
        string? continuationToken = null;
        string? marker = null;
        if (version2)
        {
            continuationToken = query.Get("continuation-token");
            startAfter = continuationToken is not null
                ? DecodeToken(continuationToken, "continuation token")
                : query.Get("start-after") is { Length: > 0 } after ? after : null;
        }
        else
        {
            marker = query.Get("marker") is { Length: > 0 } m ? m : null;
            startAfter = marker;
        }

        var listing = await BucketGrain(request).ListObjectsAsync(request.AccountId, new ListObjectsQuery(NullIfEmpty(prefix), delimiter, maxKeys, startAfter));

        var xml = S3Xml.Document("ListBucketResult", 512 + (listing.Objects.Length * 320))
            .Element("Name", request.Bucket)
            .Element("Prefix", Encode(prefix, encodeUrl));
        if (version2)
        {
            xml.Element("KeyCount", listing.Objects.Length + listing.CommonPrefixes.Length)
                .Element("MaxKeys", Math.Min(maxKeys, DefaultMaxKeys))
                .Element("Delimiter", delimiter is null ? null : Encode(delimiter, encodeUrl))
                .Element("IsTruncated", listing.IsTruncated)
                .Element("ContinuationToken", continuationToken);
            if (listing.IsTruncated && listing.NextStartAfter is { } next)
            {
                xml.Element("NextContinuationToken", EncodeToken(next));
            }

            if (continuationToken is null && startAfter is not null)
            {
                xml.Element("StartAfter", Encode(startAfter, encodeUrl));
            }
        }
        else
        {
            xml.Element("Marker", Encode(marker ?? "", encodeUrl))
                .Element("MaxKeys", Math.Min(maxKeys, DefaultMaxKeys))
                .Element("Delimiter", delimiter is null ? null : Encode(delimiter, encodeUrl))
                .Element("IsTruncated", listing.IsTruncated);

            // v1 names the next marker only when a delimiter rolled keys up; otherwise the last key is the marker.
            if (listing.IsTruncated && delimiter is not null && listing.NextStartAfter is { } next)
            {
                xml.Element("NextMarker", Encode(next, encodeUrl));
            }
        }

        if (encodeUrl)
        {
            xml.Element("EncodingType", "url");
        }

        var fetchOwner = !version2 || string.Equals(query.Get("fetch-owner"), "true", StringComparison.OrdinalIgnoreCase);
        foreach (var item in listing.Objects)
        {
            xml.Start("Contents")
                .Element("Key", Encode(item.Key, encodeUrl))
                .Element("LastModified", S3Xml.Timestamp(item.LastModified))
                .Element("ETag", S3Xml.QuotedETag(item.ETag));
            if (item.Checksum is not null && Payload.S3ChecksumAlgorithm.FromName(item.Checksum.Algorithm) is { } algorithm)
            {
                xml.Element("ChecksumAlgorithm", algorithm.Name).Element("ChecksumType", ChecksumType(item.Checksum));
            }

            xml.Element("Size", item.Size);
            if (fetchOwner)
            {
                // Every object belongs to the bucket's owner (S3's bucket-owner-enforced ownership), who alone may list.
                await OwnerAsync(xml, "Owner", request.AccountId);
            }

            xml.Element("StorageClass", DefaultStorageClass).End("Contents");
        }

        CommonPrefixes(xml, listing, encodeUrl);

        xml.End("ListBucketResult");
        await S3Xml.WriteAsync(request.Response, xml);
    }

    private async Task ListObjectVersionsAsync(S3RequestContext request)
    {
        await request.VerifyIgnoredBodyAsync();
        var query = request.Query;
        var (prefix, delimiter, maxKeys, encodeUrl) = ListingParameters.Read(request);
        var keyMarker = query.Get("key-marker") is { Length: > 0 } k ? k : null;
        var versionIdMarker = query.Get("version-id-marker") is { Length: > 0 } v ? v : null;
        if (versionIdMarker is not null && keyMarker is null)
        {
            throw S3Errors.InvalidArgument("A version-id marker cannot be specified without a key marker.");
        }

        RefuseVersionId(versionIdMarker);

        // Every key has one version, so listing after the key marker (and its only version) is listing after the key.
        var listing = await BucketGrain(request).ListObjectsAsync(request.AccountId, new ListObjectsQuery(NullIfEmpty(prefix), delimiter, maxKeys, keyMarker));

        var xml = S3Xml.Document("ListVersionsResult", 512 + (listing.Objects.Length * 360))
            .Element("Name", request.Bucket)
            .Element("Prefix", Encode(prefix, encodeUrl))
            .Element("KeyMarker", Encode(keyMarker ?? "", encodeUrl))
            .Element("VersionIdMarker", versionIdMarker ?? "");
        if (listing.IsTruncated && listing.NextStartAfter is { } next)
        {
            xml.Element("NextKeyMarker", Encode(next, encodeUrl)).Element("NextVersionIdMarker", "null");
        }

        xml.Element("MaxKeys", Math.Min(maxKeys, DefaultMaxKeys))
            .Element("Delimiter", delimiter is null ? null : Encode(delimiter, encodeUrl))
            .Element("IsTruncated", listing.IsTruncated);
        if (encodeUrl)
        {
            xml.Element("EncodingType", "url");
        }

        foreach (var item in listing.Objects)
        {
            xml.Start("Version")
                .Element("Key", Encode(item.Key, encodeUrl))
                .Element("VersionId", "null")
                .Element("IsLatest", true)
                .Element("LastModified", S3Xml.Timestamp(item.LastModified))
                .Element("ETag", S3Xml.QuotedETag(item.ETag))
                .Element("Size", item.Size)
                .Element("StorageClass", DefaultStorageClass);
            await OwnerAsync(xml, "Owner", request.AccountId);
            xml.End("Version");
        }

        CommonPrefixes(xml, listing, encodeUrl);

        xml.End("ListVersionsResult");
        await S3Xml.WriteAsync(request.Response, xml);
    }

    private static string? NullIfEmpty(string value) => value.Length == 0 ? null : value;

    private static void CommonPrefixes(Ec2.Ec2XmlWriter xml, ObjectListing listing, bool encodeUrl)
    {
        foreach (var commonPrefix in listing.CommonPrefixes)
        {
            xml.Start("CommonPrefixes").Element("Prefix", Encode(commonPrefix, encodeUrl)).End("CommonPrefixes");
        }
    }

    /// <summary>What every listing reads from its query: <c>prefix</c>, <c>delimiter</c>, <c>max-keys</c>, <c>encoding-type</c>.</summary>
    private readonly record struct ListingParameters(string Prefix, string? Delimiter, int MaxKeys, bool EncodeUrl)
    {
        public static ListingParameters Read(S3RequestContext request) => new(
            request.Query.Get("prefix") ?? "",
            request.Query.Get("delimiter") is { Length: > 0 } d ? d : null,
            ParseInt(request.Query.Get("max-keys"), "max-keys", DefaultMaxKeys, 0, int.MaxValue),
            EncodingTypeIsUrl(request));
    }

    /// <summary>S3's order of keys: by their UTF-8 bytes, which is the order of their code points.</summary>
    private static class KeyOrder
    {
        public static int Compare(string x, string y)
        {
            var length = Math.Min(x.Length, y.Length);
            for (var i = 0; i < length; i++)
            {
                if (x[i] != y[i])
                {
                    return Rank(x[i]) - Rank(y[i]);
                }
            }

            return x.Length - y.Length;
        }

        // Surrogates stand for code points above U+FFFF, so they rank above every other UTF-16 unit.
        private static int Rank(char c) => c switch
        {
            >= '\uD800' and <= '\uDFFF' => c + 0x2000,
            >= '\uE000' => c - 0x800,
            _ => c,
        };
    }
}
