using System.Collections.Immutable;
using System.Globalization;
using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using OrleansEc2.Api.Auth;
using OrleansEc2.Api.S3.Payload;

namespace OrleansEc2.Api.S3;

/// <summary>
/// POST Object: a browser's form upload to <c>POST /{bucket}</c>. The form carries its own credentials — a policy and
/// its signature, Signature Version 2 (<c>AWSAccessKeyId</c>, <c>signature</c>) or 4 (<c>x-amz-credential</c>, …,
/// <c>x-amz-signature</c>) — so there is no header to authenticate: the fields are read up to the file, the signature
/// and the policy checked, and only then does the file stream into the blob store, as PutObject's body does.
/// </summary>
internal sealed partial class S3Operations
{
    private const string KeyField = "key";
    private const string PolicyField = "policy";
    private const string AccessKeyIdField = "AWSAccessKeyId";
    private const string SignatureField = "signature";
    private const string AlgorithmField = "x-amz-algorithm";
    private const string CredentialField = "x-amz-credential";
    private const string DateField = "x-amz-date";
    private const string SigV4SignatureField = "x-amz-signature";
    private const string TaggingField = "tagging";

    private static readonly string[] SigV2Fields = [AccessKeyIdField, SignatureField];
    private static readonly string[] SigV4Fields = [AlgorithmField, CredentialField, DateField, SigV4SignatureField];

    /// <summary>
    /// Stores the form's file under its <c>key</c> as PutObject would, once the form's signature and policy allow it and
    /// the signer's account may write the bucket. <paramref name="authenticated"/> learns the signer's account and the
    /// key before anything is stored (the handler logs it and fires the account's injected faults there).
    /// </summary>
    public async Task PostObjectAsync(HttpContext http, S3Route route, Func<string, string, Task> authenticated)
    {
        var bucketName = route.Bucket!;
        if (!S3Route.IsPlausibleBucketName(bucketName))
        {
            throw new Ec2Exception(Ec2ErrorCodes.InvalidBucketName, $"The specified bucket is not valid: '{bucketName}'.");
        }

        var boundary = S3PostForm.BoundaryOf(http.Request.ContentType)
            ?? throw new Ec2Exception(Ec2ErrorCodes.PreconditionFailed, "At least one of the pre-conditions you specified did not hold")
                .WithElement("Condition", "Bucket POST must be of the enclosure-type multipart/form-data");
        var bucket = BucketGrain(bucketName);
        if (await bucket.FindAsync() is null)
        {
            throw new Ec2Exception(Ec2ErrorCodes.NoSuchBucket, $"The specified bucket does not exist: {bucketName}.");
        }

        if (http.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
        {
            // Sizes are S3's to police: 20 KB of fields, then the policy's content-length-range or 5 GiB of file.
            limit.MaxRequestBodySize = null;
        }

        var aborted = http.RequestAborted;
        var form = await S3PostForm.ReadAsync(http.Request.Body, boundary, aborted);
        if (form.File is null)
        {
            throw new Ec2Exception(S3Errors.IncorrectNumberOfFilesInPostRequest, "POST requires exactly one file upload per request.")
                .WithElement("ArgumentName", S3PostForm.FileField).WithElement("ArgumentValue", "0");
        }

        form.ExpandFileName(IsCredentialField);
        var key = form.Get(KeyField) ?? throw MissingField(KeyField);
        if (key.Length == 0)
        {
            throw S3Errors.InvalidArgument("User key must have a length greater than 0.")
                .WithElement("ArgumentName", KeyField).WithElement("ArgumentValue", "");
        }

        var (accountId, policyText) = await AuthenticatePostAsync(form);
        await authenticated(accountId, key);

        // The policy's expiration is read on the simulation clock, as BundleInstance reads the same policy's.
        var policy = S3PostPolicy.Parse(policyText);
        policy.Check(form, bucketName, clock.UtcNow);

        // The owner's bucket only, as for PutObject: a policy signed with another account's key writes nowhere here.
        await bucket.GetInfoAsync(accountId);
        ValidateKeyLength(key);
        RefuseUnsupportedObjectSettings(form.Get, form.Fields.Select(f => f.Key), aclName: "acl");
        if (form.Has("x-amz-security-token"))
        {
            throw new Ec2Exception(S3Errors.InvalidToken, "The provided token is malformed or otherwise invalid: this endpoint issues no session credentials.");
        }

        var metadata = UserMetadata(form.Fields);
        var tags = PostTags(form.Get(TaggingField));
        var expectations = PostPayloadExpectations(form);

        BlobInfo blob;
        ObjectChecksum? checksum;
        await using (var file = new S3PostFileStream(form.File.Body, policy.MinLength, Math.Min(policy.MaxLength, MaxSinglePutBytes), aborted))
        await using (var payload = new S3PayloadStream(file, PayloadMode.Unsigned, expectations, null, null, MaxSinglePutBytes))
        {
            blob = await blobs.PutAsync(payload, aborted);
            checksum = payload.VerifiedChecksum;
        }

        var stored = await bucket.PutObjectAsync(
            accountId,
            new PutObjectRequest(key, blob, form.Get("Content-Type") ?? "", metadata, checksum, tags, CannedAcl: RecordedAcl(form.Get("acl"))));
        await AnswerPostAsync(http, form, bucketName, stored);
    }

    private static bool IsCredentialField(string name) =>
        name.Equals(PolicyField, StringComparison.OrdinalIgnoreCase)
        || SigV2Fields.Concat(SigV4Fields).Any(f => f.Equals(name, StringComparison.OrdinalIgnoreCase));

    /// <summary>
    /// The signer's account and the policy text, once the form's signature over the policy checks out with the secret of
    /// its access key. A form without a policy is anonymous, and no bucket here takes anonymous writes.
    /// </summary>
    private async Task<(string AccountId, string Policy)> AuthenticatePostAsync(S3PostForm form)
    {
        var isSigV4 = SigV4Fields.Any(form.Has);
        var isSigV2 = !isSigV4 && SigV2Fields.Any(form.Has);
        var policy = form.Get(PolicyField);
        if (!isSigV4 && !isSigV2)
        {
            throw S3Errors.AccessDenied();
        }

        foreach (var field in isSigV4 ? SigV4Fields : SigV2Fields)
        {
            if (!form.Has(field))
            {
                throw MissingField(field);
            }
        }

        if (policy is null)
        {
            throw MissingField(PolicyField);
        }

        if (isSigV2)
        {
            var accessKeyId = form.Get(AccessKeyIdField)!;
            var key = await FindAccessKeyAsync(accessKeyId);
            var provided = form.Get(SignatureField)!.Trim();
            if (!PostPolicies.Matches(policy, provided, key.SecretAccessKey))
            {
                throw SignatureMismatch(accessKeyId, policy, provided);
            }

            return (key.AccountId, policy);
        }

        var algorithm = form.Get(AlgorithmField)!;
        if (algorithm != SigV4.Algorithm)
        {
            throw new Ec2Exception(S3Errors.AuthorizationQueryParametersError, $"X-Amz-Algorithm only supports \"{SigV4.Algorithm}\"");
        }

        var amzDate = form.Get(DateField)!;
        if (!SigV4.TryParseAmzDate(amzDate, out _))
        {
            throw new Ec2Exception(S3Errors.AuthorizationQueryParametersError, $"X-Amz-Date must be in the ISO8601 Long Format \"yyyyMMdd'T'HHmmss'Z'\", not '{amzDate}'.");
        }

        var (v4AccessKeyId, scope) = await ParsePostCredentialAsync(form.Get(CredentialField)!, amzDate);
        var v4Key = await FindAccessKeyAsync(v4AccessKeyId);
        var signature = form.Get(SigV4SignatureField)!.Trim();
        var calculated = SigV4.Sign(SigV4.SigningKey(v4Key.SecretAccessKey, scope.Date, scope.Region, scope.Service), policy);
        if (!SigV4.SignaturesEqual(calculated, signature))
        {
            throw SignatureMismatch(v4AccessKeyId, policy, signature);
        }

        return (v4Key.AccountId, policy);
    }

    /// <summary><c>x-amz-credential</c>: <c>AKID/yyyyMMdd/region/s3/aws4_request</c>, for a configured region, dated as <c>x-amz-date</c>.</summary>
    private async Task<(string AccessKeyId, SigV4Scope Scope)> ParsePostCredentialAsync(string credential, string amzDate)
    {
        var parts = credential.Split('/');
        if (parts.Length != 5 || parts.Any(p => p.Length == 0) || parts[4] != "aws4_request"
            || !DateTime.TryParseExact(parts[1], "yyyyMMdd", CultureInfo.InvariantCulture, DateTimeStyles.None, out _))
        {
            throw CredentialError("the Credential is mal-formed; expecting \"<YOUR-AKID>/YYYYMMDD/REGION/SERVICE/aws4_request\".");
        }

        if (parts[3] != S3Authenticator.Service)
        {
            throw CredentialError($"incorrect service \"{parts[3]}\". This endpoint belongs to \"{S3Authenticator.Service}\".");
        }

        if (await regions.FindAsync(parts[2]) is null)
        {
            var configured = string.Join(", ", (await regions.GetRegionsAsync()).Select(r => $"'{r.RegionName}'"));
            throw CredentialError($"the region '{parts[2]}' is wrong; expecting one of {configured}.");
        }

        if (parts[1] != amzDate[..8])
        {
            throw CredentialError($"the date '{parts[1]}' does not match the date of X-Amz-Date '{amzDate}'.");
        }

        return (parts[0], new SigV4Scope(parts[1], parts[2], parts[3]));
    }

    private async Task<AccessKey> FindAccessKeyAsync(string accessKeyId) =>
        await accessKeys.FindAsync(accessKeyId)
            ?? throw new Ec2Exception(Ec2ErrorCodes.InvalidAccessKeyId, "The AWS Access Key Id you provided does not exist in our records.")
                .WithElement("AWSAccessKeyId", accessKeyId);

    /// <summary>
    /// The form's <c>tagging</c> field: the tag set as the XML document of PutObjectTagging (a form field, unlike
    /// PutObject's <c>x-amz-tagging</c> header), checked by the same rules; no tags without it.
    /// </summary>
    private static ImmutableArray<Tag> PostTags(string? tagging)
    {
        if (tagging is null)
        {
            return [];
        }

        if (tagging.Length == 0)
        {
            throw S3Errors.MalformedXml();
        }

        return S3Tagging.FromDocument(Encoding.UTF8.GetBytes(tagging));
    }

    /// <summary>What the form promises about the file: its Content-MD5 and at most one <c>x-amz-checksum-*</c> value, as PutObject's headers do.</summary>
    private static PayloadExpectations PostPayloadExpectations(S3PostForm form)
    {
        byte[]? md5 = null;
        if (form.Get("Content-MD5") is { } md5Text)
        {
            md5 = new byte[16];
            if (!Convert.TryFromBase64String(md5Text.Trim(), md5, out var written) || written != 16)
            {
                throw new Ec2Exception(Ec2ErrorCodes.InvalidDigest, "The Content-MD5 you specified was invalid.");
            }
        }

        S3ChecksumAlgorithm? algorithm = null;
        string? value = null;
        foreach (var candidate in S3ChecksumAlgorithm.All)
        {
            if (form.Get(candidate.HeaderName) is not { } sent)
            {
                continue;
            }

            if (algorithm is not null)
            {
                throw S3Errors.InvalidRequest("Expecting a single x-amz-checksum- header. Multiple checksum Types are not allowed.");
            }

            if (!candidate.IsWellFormed(sent.Trim()))
            {
                throw S3Errors.InvalidRequest($"Value for {candidate.HeaderName} header is invalid.");
            }

            (algorithm, value) = (candidate, sent.Trim());
        }

        if (form.Get("x-amz-checksum-algorithm") is { } named)
        {
            var declared = S3ChecksumAlgorithm.FromName(named)
                ?? throw S3Errors.InvalidRequest("Checksum algorithm provided is unsupported. Please try again with any of the valid types: [CRC32, CRC32C, CRC64NVME, SHA1, SHA256]");
            if (declared != algorithm)
            {
                throw S3Errors.InvalidRequest($"x-amz-checksum-algorithm is {declared.Name}, but the form carries no x-amz-checksum-{declared.Name.ToLowerInvariant()} field.");
            }
        }

        return new PayloadExpectations(null, md5, algorithm, value, ChecksumInTrailer: false);
    }

    /// <summary>
    /// 303 to <c>success_action_redirect</c> (or the older <c>redirect</c>) with bucket, key and ETag in its query when
    /// it is a URL; else <c>success_action_status</c>: 200 or 204 empty, 201 with a <c>PostResponse</c> document
    /// (anything else is 204, as S3 answers).
    /// </summary>
    private static async Task AnswerPostAsync(HttpContext http, S3PostForm form, string bucket, S3ObjectInfo stored)
    {
        var response = http.Response;
        var etag = S3Xml.QuotedETag(stored.ETag);
        var location = $"{http.Request.Scheme}://{http.Request.Host}/{SigV4.UriEncode(bucket, keepSlash: false)}/{SigV4.UriEncode(stored.Key, keepSlash: true)}";
        response.Headers.ETag = etag;
        SetChecksumHeaders(response, stored.Checksum);

        var redirect = form.Get("success_action_redirect") ?? form.Get("redirect");
        if (redirect is not null && Uri.TryCreate(redirect, UriKind.Absolute, out var target) && (target.Scheme == Uri.UriSchemeHttp || target.Scheme == Uri.UriSchemeHttps))
        {
            var query = $"bucket={Uri.EscapeDataString(bucket)}&key={Uri.EscapeDataString(stored.Key)}&etag={Uri.EscapeDataString(etag)}";
            var separator = target.Query.Length > 1 ? "&" : target.Query.Length == 1 ? "" : "?";
            var withoutFragment = target.Fragment.Length > 0 ? redirect[..redirect.LastIndexOf('#')] : redirect;
            response.StatusCode = StatusCodes.Status303SeeOther;
            response.Headers.Location = withoutFragment + separator + query + target.Fragment;
            response.ContentLength = 0;
            return;
        }

        response.Headers.Location = location;
        switch (form.Get("success_action_status"))
        {
            case "200":
                response.StatusCode = StatusCodes.Status200OK;
                response.ContentLength = 0;
                break;
            case "201":
                var xml = new Ec2.Ec2XmlWriter(256)
                    .Raw(Ec2.Ec2XmlWriter.Declaration)
                    .Start("PostResponse")
                    .Element("Location", location)
                    .Element("Bucket", bucket)
                    .Element("Key", stored.Key)
                    .Element("ETag", etag)
                    .End("PostResponse");
                await S3Xml.WriteAsync(response, xml, StatusCodes.Status201Created);
                break;
            default:
                response.StatusCode = StatusCodes.Status204NoContent;
                break;
        }
    }

    private static Ec2Exception MissingField(string field)
    {
        // S3 names the field as a header would be written (X-Amz-Credential), the others as the documentation does.
        var name = field.StartsWith("x-amz-", StringComparison.Ordinal)
            ? string.Join('-', field.Split('-').Select(p => char.ToUpperInvariant(p[0]) + p[1..]))
            : field == SignatureField || field == PolicyField ? char.ToUpperInvariant(field[0]) + field[1..] : field;
        return S3Errors.InvalidArgument($"Bucket POST must contain a field named '{name}'.  If it is specified, please check the order of the fields.")
            .WithElement("ArgumentName", name).WithElement("ArgumentValue", "");
    }

    private static Ec2Exception SignatureMismatch(string accessKeyId, string policy, string provided) =>
        new Ec2Exception(
            Ec2ErrorCodes.SignatureDoesNotMatch,
            "The request signature we calculated does not match the signature you provided. Check your key and signing method.")
            .WithElement("AWSAccessKeyId", accessKeyId).WithElement("StringToSign", policy).WithElement("SignatureProvided", provided);

    private static Ec2Exception CredentialError(string detail) =>
        new(S3Errors.AuthorizationQueryParametersError, "Error parsing the X-Amz-Credential parameter; " + detail);
}
