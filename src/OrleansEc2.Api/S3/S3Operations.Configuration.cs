using OrleansEc2.Api.Ec2;

namespace OrleansEc2.Api.S3;

/// <summary>
/// Reads of configuration this endpoint never lets anyone set: each answers what S3 answers for a new bucket nobody
/// has configured — versioning never enabled, SSE-S3 by default, object ownership enforced, public access blocked, and
/// the "does not exist" errors for policy, CORS and the rest. Tools that read these before they work (the AWS CLI's
/// sync, SDK transfer managers, Terraform, rclone) go on. Setting any of them stays <c>NotImplemented</c>. The ACLs
/// are read here too: the owner's full control, and the grant of an object's canned ACL.
/// </summary>
internal sealed partial class S3Operations
{
    /// <summary>The configuration reads answered, by S3 operation name; a null document means the error beside it.</summary>
    internal static readonly IReadOnlyDictionary<string, (string? Document, string? Code, string? Message)> BucketConfigurationReads =
        new Dictionary<string, (string?, string?, string?)>(StringComparer.Ordinal)
        {
            ["GetBucketVersioning"] = ("<VersioningConfiguration xmlns=\"{0}\"/>", null, null),
            ["GetBucketOwnershipControls"] = ("<OwnershipControls xmlns=\"{0}\"><Rule><ObjectOwnership>BucketOwnerEnforced</ObjectOwnership></Rule></OwnershipControls>", null, null),
            ["GetBucketEncryption"] = ("<ServerSideEncryptionConfiguration xmlns=\"{0}\"><Rule><ApplyServerSideEncryptionByDefault><SSEAlgorithm>AES256</SSEAlgorithm></ApplyServerSideEncryptionByDefault><BucketKeyEnabled>false</BucketKeyEnabled></Rule></ServerSideEncryptionConfiguration>", null, null),
            ["GetBucketPublicAccessBlock"] = ("<PublicAccessBlockConfiguration xmlns=\"{0}\"><BlockPublicAcls>true</BlockPublicAcls><IgnorePublicAcls>true</IgnorePublicAcls><BlockPublicPolicy>true</BlockPublicPolicy><RestrictPublicBuckets>true</RestrictPublicBuckets></PublicAccessBlockConfiguration>", null, null),
            ["GetBucketLogging"] = ("<BucketLoggingStatus xmlns=\"{0}\"/>", null, null),
            ["GetBucketAccelerateConfiguration"] = ("<AccelerateConfiguration xmlns=\"{0}\"/>", null, null),
            ["GetBucketRequestPayment"] = ("<RequestPaymentConfiguration xmlns=\"{0}\"><Payer>BucketOwner</Payer></RequestPaymentConfiguration>", null, null),
            ["GetBucketNotificationConfiguration"] = ("<NotificationConfiguration xmlns=\"{0}\"/>", null, null),
            ["GetBucketPolicy"] = (null, "NoSuchBucketPolicy", "The bucket policy does not exist"),
            ["GetBucketCors"] = (null, "NoSuchCORSConfiguration", "The CORS configuration does not exist"),
            ["GetBucketLifecycleConfiguration"] = (null, "NoSuchLifecycleConfiguration", "The lifecycle configuration does not exist"),
            ["GetBucketWebsite"] = (null, "NoSuchWebsiteConfiguration", "The specified bucket does not have a website configuration"),
            ["GetBucketReplication"] = (null, "ReplicationConfigurationNotFoundError", "The replication configuration was not found"),
            ["GetBucketObjectLockConfiguration"] = (null, "ObjectLockConfigurationNotFoundError", "Object Lock configuration does not exist for this bucket"),
        };

    /// <summary>The error codes of <see cref="BucketConfigurationReads"/>: all 404, as S3 answers them.</summary>
    internal static bool IsMissingConfiguration(string code) =>
        BucketConfigurationReads.Values.Any(r => r.Code == code);

    private async Task GetBucketConfigurationAsync(S3RequestContext request)
    {
        await request.VerifyIgnoredBodyAsync();
        await BucketGrain(request).GetInfoAsync(request.AccountId);
        var (document, code, message) = BucketConfigurationReads[request.Route.Operation];
        if (document is null)
        {
            throw new Ec2Exception(code!, message!);
        }

        var xml = new Ec2XmlWriter(512).Raw(Ec2XmlWriter.Declaration).Raw(string.Format(System.Globalization.CultureInfo.InvariantCulture, document, S3Xml.Namespace));
        await S3Xml.WriteAsync(request.Response, xml);
    }

    /// <summary>
    /// GetBucketAcl and GetObjectAcl: the bucket owner, who owns every object here, with full control; for an object
    /// written with one of the EC2 read ACLs, that ACL's READ grant after it (<see cref="S3CannedAclGrants"/>).
    /// </summary>
    private async Task GetAclAsync(S3RequestContext request)
    {
        await request.VerifyIgnoredBodyAsync();
        var bucket = BucketGrain(request);
        var info = await bucket.GetInfoAsync(request.AccountId);
        string? cannedAcl = null;
        if (request.Route.Key is { } key)
        {
            RefuseVersionId(request.Query.Get("versionId"));
            cannedAcl = (await bucket.GetObjectAsync(request.AccountId, key)).CannedAcl;
        }

        var xml = S3Xml.Document("AccessControlPolicy", 900);
        await OwnerAsync(xml, "Owner", info.OwnerId);
        xml.Start("AccessControlList");
        CanonicalUserGrant(xml, info.OwnerId, await DisplayNameAsync(info.OwnerId), "FULL_CONTROL");
        if (S3CannedAclGrants.ReaderOf(cannedAcl) is { } reader)
        {
            CanonicalUserGrant(xml, reader.Id, reader.DisplayName, "READ");
        }

        xml.End("AccessControlList").End("AccessControlPolicy");
        await S3Xml.WriteAsync(request.Response, xml);
    }

    private static void CanonicalUserGrant(Ec2XmlWriter xml, string id, string displayName, string permission) =>
        xml.Start("Grant")
            .Raw("<Grantee xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" xsi:type=\"CanonicalUser\">")
            .Element("ID", id)
            .Element("DisplayName", displayName)
            .End("Grantee")
            .Element("Permission", permission)
            .End("Grant");

    /// <summary>
    /// PutObjectAcl in its header form, with the canned ACLs PutObject takes (<see cref="RefuseAcl"/>): the object records
    /// it, bytes, ETag and tags unchanged. A grant header or an <c>AccessControlPolicy</c> document is refused as on
    /// PutObject; neither an ACL nor a document is <c>MissingSecurityHeader</c>.
    /// </summary>
    private async Task PutObjectAclAsync(S3RequestContext request)
    {
        RefuseVersionId(request.Query.Get("versionId"));
        var bucket = BucketGrain(request);

        // Another account is refused before anything is read, as S3 authorizes first.
        await bucket.GetInfoAsync(request.AccountId);
        var body = await request.ReadSmallBodyAsync();
        var acl = request.Header("x-amz-acl");
        var grants = request.Request.Headers.Keys.Any(h => h.StartsWith("x-amz-grant-", StringComparison.OrdinalIgnoreCase));
        if (acl is null && !grants && body.Length == 0)
        {
            throw new Ec2Exception(S3Errors.MissingSecurityHeader, "Your request was missing a required header")
                .WithElement("MissingHeaderName", "x-amz-acl");
        }

        if (body.Length > 0)
        {
            throw new Ec2Exception(S3Errors.AccessControlListNotSupported, "The bucket does not allow ACLs");
        }

        RefuseAcl(acl, request.Request.Headers.Keys, onObject: true);
        await bucket.PutObjectAclAsync(request.AccountId, request.Key, RecordedAcl(acl));
        request.Response.StatusCode = 200;
        request.Response.ContentLength = 0;
    }
}
