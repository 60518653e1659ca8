using System.Text;

namespace OrleansEc2.Api.S3;

/// <summary>Service- and bucket-level operations.</summary>
internal sealed partial class S3Operations
{
    private const string UsEast1 = "us-east-1";

    private async Task ListBucketsAsync(S3RequestContext request)
    {
        await request.VerifyIgnoredBodyAsync();
        var maxBuckets = ParseInt(request.Query.Get("max-buckets"), "max-buckets", 10_000, 1, 10_000);
        var prefix = request.Query.Get("prefix");
        var bucketRegion = request.Query.Get("bucket-region");
        var continuation = request.Query.Get("continuation-token");
        var startAfter = continuation is null ? null : DecodeToken(continuation, "continuation-token");

        var buckets = (await grains.GetGrain<IAccountBucketsGrain>(request.AccountId).ListAsync())
            .Where(b => prefix is null || b.Name.StartsWith(prefix, StringComparison.Ordinal))
            .Where(b => bucketRegion is null || b.Region == bucketRegion)
            .Where(b => startAfter is null || string.CompareOrdinal(b.Name, startAfter) > 0)
            .OrderBy(b => b.Name, StringComparer.Ordinal)
            .ToList();
        var page = buckets.Take(maxBuckets).ToList();

        var xml = S3Xml.Document("ListAllMyBucketsResult", 256 + (page.Count * 160));
        await OwnerAsync(xml, "Owner", request.AccountId);
        xml.Start("Buckets");
        foreach (var bucket in page)
        {
            xml.Start("Bucket")
                .Element("Name", bucket.Name)
                .Element("CreationDate", S3Xml.Timestamp(bucket.CreationDate))
                .Element("BucketRegion", bucket.Region)
                .End("Bucket");
        }

        xml.End("Buckets");
        if (buckets.Count > page.Count)
        {
            xml.Element("ContinuationToken", EncodeToken(page[^1].Name));
        }

        xml.Element("Prefix", prefix).End("ListAllMyBucketsResult");
        await S3Xml.WriteAsync(request.Response, xml);
    }

    private async Task CreateBucketAsync(S3RequestContext request)
    {
        RefuseAcl(request.Header("x-amz-acl"), request.Request.Headers.Keys, onObject: false);
        if (string.Equals(request.Header("x-amz-bucket-object-lock-enabled"), "true", StringComparison.OrdinalIgnoreCase))
        {
            throw S3Errors.NotImplemented("PutObjectLockConfiguration (x-amz-bucket-object-lock-enabled)");
        }

        var body = await request.ReadSmallBodyAsync(64 * 1024);
        string? constraint = null;
        if (body.AsSpan().Trim(" \t\r\n"u8).Length > 0)
        {
            var root = S3Xml.Parse(body);
            if (root.Name.LocalName != "CreateBucketConfiguration")
            {
                throw S3Errors.MalformedXml();
            }

            constraint = S3Xml.ChildValue(root, "LocationConstraint")?.Trim();
        }

        var region = await RegionOfConstraintAsync(constraint, request.Caller.Region);
        await BucketGrain(request).CreateAsync(request.AccountId, region);
        request.Response.Headers.Location = "/" + request.Bucket;
        request.Response.StatusCode = 200;
        request.Response.ContentLength = 0;
    }

    /// <summary>
    /// The region a CreateBucket's LocationConstraint names: none is us-east-1, the legacy <c>EU</c> is eu-west-1 (any
    /// configured legacy location names its region), and it must be the region the request was signed for.
    /// </summary>
    private async Task<string> RegionOfConstraintAsync(string? constraint, string requestRegion)
    {
        if (string.IsNullOrEmpty(constraint))
        {
            if (requestRegion != UsEast1)
            {
                throw new Ec2Exception(
                    Ec2ErrorCodes.IllegalLocationConstraintException,
                    "The unspecified location constraint is incompatible for the region specific endpoint this request was sent to.");
            }

            return UsEast1;
        }

        // S3 refuses us-east-1 by name: it is the region of no constraint.
        RegionInfo? region = null;
        if (constraint != UsEast1)
        {
            var configured = await regions.GetRegionsAsync();
            region = configured.FirstOrDefault(r => r.RegionName == constraint)
                ?? configured.FirstOrDefault(r => r.LegacyLocation == constraint && r.LegacyLocation != "US");
        }

        if (region is null)
        {
            throw new Ec2Exception(Ec2ErrorCodes.InvalidLocationConstraint, "The specified location-constraint is not valid");
        }

        if (region.RegionName != requestRegion)
        {
            throw new Ec2Exception(
                Ec2ErrorCodes.IllegalLocationConstraintException,
                $"The {constraint} location constraint is incompatible for the region specific endpoint this request was sent to.");
        }

        return region.RegionName;
    }

    private async Task HeadBucketAsync(S3RequestContext request)
    {
        await request.VerifyIgnoredBodyAsync();
        var info = await BucketGrain(request).GetInfoAsync(request.AccountId);
        request.Response.Headers["x-amz-bucket-region"] = info.Region;
        request.Response.Headers["x-amz-access-point-alias"] = "false";
        request.Response.StatusCode = 200;
        request.Response.ContentLength = 0;
    }

    private async Task DeleteBucketAsync(S3RequestContext request)
    {
        await request.VerifyIgnoredBodyAsync();
        await BucketGrain(request).DeleteAsync(request.AccountId);
        request.Response.StatusCode = 204;
    }

    /// <summary>S3 answers an empty constraint for us-east-1 and the region's name otherwise.</summary>
    private async Task GetBucketLocationAsync(S3RequestContext request)
    {
        await request.VerifyIgnoredBodyAsync();
        var info = await BucketGrain(request).GetInfoAsync(request.AccountId);
        var xml = new Ec2.Ec2XmlWriter(200).Raw(Ec2.Ec2XmlWriter.Declaration);
        xml.Raw(info.Region == UsEast1
            ? $"<LocationConstraint xmlns=\"{S3Xml.Namespace}\"/>"
            : $"<LocationConstraint xmlns=\"{S3Xml.Namespace}\">{Ec2.Ec2XmlWriter.Escape(info.Region)}</LocationConstraint>");
        await S3Xml.WriteAsync(request.Response, xml);
    }

    /// <summary>An opaque paging token: where the next page starts, base64url.</summary>
    private static string EncodeToken(string startAfter) =>
        Convert.ToBase64String(Encoding.UTF8.GetBytes("1:" + startAfter)).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    private static string DecodeToken(string token, string parameter)
    {
        try
        {
            var base64 = token.Replace('-', '+').Replace('_', '/');
            base64 = base64.PadRight(base64.Length + ((4 - (base64.Length % 4)) % 4), '=');
            var text = new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(Convert.FromBase64String(base64));
            if (text.StartsWith("1:", StringComparison.Ordinal))
            {
                return text[2..];
            }
        }
        catch (Exception e) when (e is FormatException or DecoderFallbackException)
        {
            // Reported below as S3 reports it.
        }

        throw S3Errors.InvalidArgument($"The {parameter} provided is incorrect");
    }
}
