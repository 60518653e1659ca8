using System.Net;
using System.Text;
using Amazon.S3;
using Amazon.S3.Model;
using OrleansEc2.Api.Tests.Infrastructure;
using OrleansEc2.Client;
using static OrleansEc2.Api.Tests.S3.S3TestKit;

namespace OrleansEc2.Api.Tests.S3;

/// <summary>
/// The canned ACLs of the EC2 bundle tools on objects: <c>ec2-bundle-read</c> and <c>aws-exec-read</c> given to
/// PutObject, POST Object, CreateMultipartUpload, CopyObject or PutObjectAcl are recorded with the object, and
/// GetObjectAcl lists their READ grant after the owner's full control, as S3 does.
/// </summary>
[Collection(ApiSiloCollection.Name)]
public sealed class ObjectAclTests(ApiSiloFixture silo)
{
    private const string ExecReaderId = "6aa5a366c34c1cbe25dc49211496e913e0351eb0e8c37aa3477e40942ec6b97c";

    // S3 publishes no canonical ID for EC2's bundled-images account; this endpoint's is the SHA-256 of its address.
    private static readonly string BundleReaderId = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData("ec2-bundled-images@amazon.com"u8));

    public static TheoryData<string, string, string> ReadAcls => new()
    {
        { "aws-exec-read", ExecReaderId, "za-team" },
        { "ec2-bundle-read", BundleReaderId, "ec2-bundled-images" },
    };

    [Theory]
    [MemberData(nameof(ReadAcls))]
    public async Task PutObject_WithAnEc2ReadAcl_GetObjectAclListsTheOwnersFullControlThenEc2sRead(string acl, string readerId, string readerName)
    {
        using var s3 = silo.Alices3();
        var bucket = await CreateBucketAsync(s3);

        await s3.PutObjectAsync(new Amazon.S3.Model.PutObjectRequest { BucketName = bucket, Key = "k", ContentBody = "1", CannedACL = new S3CannedACL(acl) });
        var got = await s3.GetObjectAclAsync(new GetObjectAclRequest { BucketName = bucket, Key = "k" });

        got.Owner.Id.Should().Be(ApiSiloFixture.Alice);
        Grants(got).Should().Equal(
            ("CanonicalUser", ApiSiloFixture.Alice, "alice", "FULL_CONTROL"),
            ("CanonicalUser", readerId, readerName, "READ"));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("private")]
    [InlineData("bucket-owner-full-control")]
    public async Task PutObject_WithAnAclOfTheOwnerAlone_GetObjectAclListsTheOwnersFullControlOnly(string? acl)
    {
        using var s3 = silo.Alices3();
        var bucket = await CreateBucketAsync(s3);
        var request = new Amazon.S3.Model.PutObjectRequest { BucketName = bucket, Key = "k", ContentBody = "1" };
        if (acl is not null)
        {
            request.CannedACL = new S3CannedACL(acl);
        }

        await s3.PutObjectAsync(request);

        Grants(await s3.GetObjectAclAsync(new GetObjectAclRequest { BucketName = bucket, Key = "k" }))
            .Should().Equal(("CanonicalUser", ApiSiloFixture.Alice, "alice", "FULL_CONTROL"));
    }

    [Fact]
    public async Task AWriteWithoutAnAcl_LeavesTheObjectItReplacesToItsOwnerAlone()
    {
        using var s3 = silo.Alices3();
        var bucket = await CreateBucketAsync(s3);
        await s3.PutObjectAsync(new Amazon.S3.Model.PutObjectRequest { BucketName = bucket, Key = "k", ContentBody = "1", CannedACL = S3CannedACL.AWSExecRead });

        await PutAsync(s3, bucket, "k", [2]);

        Grants(await s3.GetObjectAclAsync(new GetObjectAclRequest { BucketName = bucket, Key = "k" })).Should().ContainSingle();
    }

    [Fact]
    public async Task UploadPolicyPost_RecordsEc2BundleRead_AsBundleInstancesUploadsDo()
    {
        using var s3 = silo.Alices3();
        using var http = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false });
        var bucket = await CreateBucketAsync(s3, "post");
        var policy = UploadPolicies.Build(bucket, "winami", silo.Time.GetUtcNow().AddHours(24));

        var response = await PostForm.UploadPolicy(policy, "winami.part.00", [1, 2, 3]).PostAsync(http, silo.BaseUri, bucket);
        var got = await s3.GetObjectAclAsync(new GetObjectAclRequest { BucketName = bucket, Key = "winami.part.00" });

        response.StatusCode.Should().Be(HttpStatusCode.NoContent);
        Grants(got).Should().Equal(
            ("CanonicalUser", ApiSiloFixture.Alice, "alice", "FULL_CONTROL"),
            ("CanonicalUser", BundleReaderId, "ec2-bundled-images", "READ"));
    }

    [Fact]
    public async Task MultipartUpload_WithAnAcl_CompletesIntoAnObjectThatRecordsIt()
    {
        using var s3 = silo.Alices3();
        var bucket = await CreateBucketAsync(s3);

        var upload = await s3.InitiateMultipartUploadAsync(new InitiateMultipartUploadRequest { BucketName = bucket, Key = "mp", CannedACL = S3CannedACL.AWSExecRead });
        var part = await s3.UploadPartAsync(new UploadPartRequest { BucketName = bucket, Key = "mp", UploadId = upload.UploadId, PartNumber = 1, InputStream = new MemoryStream(Bytes(100, 3)) });
        await s3.CompleteMultipartUploadAsync(new CompleteMultipartUploadRequest { BucketName = bucket, Key = "mp", UploadId = upload.UploadId, PartETags = [new PartETag(1, part.ETag)] });

        Grants(await s3.GetObjectAclAsync(new GetObjectAclRequest { BucketName = bucket, Key = "mp" })).Should().Equal(
            ("CanonicalUser", ApiSiloFixture.Alice, "alice", "FULL_CONTROL"),
            ("CanonicalUser", ExecReaderId, "za-team", "READ"));
    }

    [Fact]
    public async Task CopyObject_DoesNotCopyTheSourcesAcl_ButRecordsTheOneItIsGiven()
    {
        using var s3 = silo.Alices3();
        var bucket = await CreateBucketAsync(s3);
        await s3.PutObjectAsync(new Amazon.S3.Model.PutObjectRequest { BucketName = bucket, Key = "source", ContentBody = "1", CannedACL = S3CannedACL.AWSExecRead });

        await s3.CopyObjectAsync(new CopyObjectRequest { SourceBucket = bucket, SourceKey = "source", DestinationBucket = bucket, DestinationKey = "plain" });
        await s3.CopyObjectAsync(new CopyObjectRequest { SourceBucket = bucket, SourceKey = "source", DestinationBucket = bucket, DestinationKey = "given", CannedACL = new S3CannedACL("ec2-bundle-read") });

        Grants(await s3.GetObjectAclAsync(new GetObjectAclRequest { BucketName = bucket, Key = "plain" })).Should().ContainSingle()
            .Which.Should().Be(("CanonicalUser", ApiSiloFixture.Alice, "alice", "FULL_CONTROL"));
        Grants(await s3.GetObjectAclAsync(new GetObjectAclRequest { BucketName = bucket, Key = "given" })).Select(g => g.Id)
            .Should().Equal(ApiSiloFixture.Alice, BundleReaderId);
        Grants(await s3.GetObjectAclAsync(new GetObjectAclRequest { BucketName = bucket, Key = "source" })).Select(g => g.Id)
            .Should().Equal(ApiSiloFixture.Alice, ExecReaderId);
    }

    [Fact]
    public async Task PutObjectAcl_WithACannedAcl_ChangesTheGrants_AndNothingElse()
    {
        using var s3 = silo.Alices3();
        var bucket = await CreateBucketAsync(s3);
        await s3.PutObjectAsync(new Amazon.S3.Model.PutObjectRequest { BucketName = bucket, Key = "k", ContentBody = "hello", TagSet = [new Amazon.S3.Model.Tag { Key = "a", Value = "1" }] });
        var before = await s3.GetObjectMetadataAsync(bucket, "k");
        silo.Time.Advance(TimeSpan.FromMinutes(3));

        var exec = await s3.PutObjectAclAsync(new PutObjectAclRequest { BucketName = bucket, Key = "k", ACL = S3CannedACL.AWSExecRead });
        var afterExec = await s3.GetObjectAclAsync(new GetObjectAclRequest { BucketName = bucket, Key = "k" });
        await s3.PutObjectAclAsync(new PutObjectAclRequest { BucketName = bucket, Key = "k", ACL = new S3CannedACL("ec2-bundle-read") });
        var afterBundle = await s3.GetObjectAclAsync(new GetObjectAclRequest { BucketName = bucket, Key = "k" });
        await s3.PutObjectAclAsync(new PutObjectAclRequest { BucketName = bucket, Key = "k", ACL = S3CannedACL.Private });
        var afterPrivate = await s3.GetObjectAclAsync(new GetObjectAclRequest { BucketName = bucket, Key = "k" });
        var after = await s3.GetObjectMetadataAsync(bucket, "k");

        exec.HttpStatusCode.Should().Be(HttpStatusCode.OK);
        Grants(afterExec).Select(g => g.Id).Should().Equal(ApiSiloFixture.Alice, ExecReaderId);
        Grants(afterBundle).Select(g => g.Id).Should().Equal(ApiSiloFixture.Alice, BundleReaderId);
        Grants(afterPrivate).Select(g => g.Id).Should().Equal(ApiSiloFixture.Alice);
        after.ETag.Should().Be(before.ETag);
        after.LastModified.Should().Be(before.LastModified);
        (await ReadAllAsync(s3, bucket, "k")).Should().Equal("hello"u8.ToArray());
        (await s3.GetObjectTaggingAsync(new GetObjectTaggingRequest { BucketName = bucket, Key = "k" })).Tagging.Should().ContainSingle().Which.Key.Should().Be("a");
    }

    [Fact]
    public async Task PutObjectTagging_KeepsTheObjectsAcl()
    {
        using var s3 = silo.Alices3();
        var bucket = await CreateBucketAsync(s3);
        await s3.PutObjectAsync(new Amazon.S3.Model.PutObjectRequest { BucketName = bucket, Key = "k", ContentBody = "1", CannedACL = S3CannedACL.AWSExecRead });

        await s3.PutObjectTaggingAsync(new PutObjectTaggingRequest { BucketName = bucket, Key = "k", Tagging = new Tagging { TagSet = [new Amazon.S3.Model.Tag { Key = "a", Value = "1" }] } });

        Grants(await s3.GetObjectAclAsync(new GetObjectAclRequest { BucketName = bucket, Key = "k" })).Select(g => g.Id).Should().Equal(ApiSiloFixture.Alice, ExecReaderId);
    }

    [Theory]
    [InlineData("public-read", null, "")]
    [InlineData("authenticated-read", null, "")]
    [InlineData(null, "x-amz-grant-read", "")]
    [InlineData("aws-exec-read", "x-amz-grant-full-control", "")]
    [InlineData(null, null, "<AccessControlPolicy><Owner><ID>111122223333</ID></Owner><AccessControlList/></AccessControlPolicy>")]
    public async Task PutObjectAcl_OtherThanTheCannedAclsTaken_IsAccessControlListNotSupported_AndTheAclStays(string? acl, string? grantHeader, string body)
    {
        using var s3 = silo.Alices3();
        var bucket = await CreateBucketAsync(s3);
        await s3.PutObjectAsync(new Amazon.S3.Model.PutObjectRequest { BucketName = bucket, Key = "k", ContentBody = "1", CannedACL = S3CannedACL.AWSExecRead });
        var request = new S3RawRequest { Uri = new Uri(silo.BaseUri, $"{bucket}/k?acl"), Body = Encoding.UTF8.GetBytes(body) };
        if (acl is not null)
        {
            request.Headers["x-amz-acl"] = acl;
        }

        if (grantHeader is not null)
        {
            request.Headers[grantHeader] = $"id={ApiSiloFixture.Bob}";
        }

        using var response = await silo.Http.SendAsync(request.Build());

        response.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        var (code, message, _) = await ErrorOfAsync(response);
        code.Should().Be("AccessControlListNotSupported");
        message.Should().Be("The bucket does not allow ACLs");
        Grants(await s3.GetObjectAclAsync(new GetObjectAclRequest { BucketName = bucket, Key = "k" })).Select(g => g.Id).Should().Equal(ApiSiloFixture.Alice, ExecReaderId);
    }

    [Fact]
    public async Task PutObjectAcl_WithNeitherAnAclNorADocument_IsMissingSecurityHeader()
    {
        using var s3 = silo.Alices3();
        var bucket = await CreateBucketAsync(s3);
        await PutAsync(s3, bucket, "k", [1]);

        using var response = await silo.Http.SendAsync(new S3RawRequest { Uri = new Uri(silo.BaseUri, $"{bucket}/k?acl") }.Build());
        var text = await response.Content.ReadAsStringAsync();

        response.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        var document = System.Xml.Linq.XDocument.Parse(text).Root!;
        document.Element("Code")!.Value.Should().Be("MissingSecurityHeader");
        document.Element("Message")!.Value.Should().Be("Your request was missing a required header");
        document.Element("MissingHeaderName")!.Value.Should().Be("x-amz-acl");
    }

    [Fact]
    public async Task PutObjectAcl_OfAKeyThatDoesNotExist_IsNoSuchKey()
    {
        using var s3 = silo.Alices3();
        var bucket = await CreateBucketAsync(s3);

        var error = await FailsAsync(() => s3.PutObjectAclAsync(new PutObjectAclRequest { BucketName = bucket, Key = "absent", ACL = S3CannedACL.AWSExecRead }));

        error.StatusCode.Should().Be(HttpStatusCode.NotFound);
        error.ErrorCode.Should().Be("NoSuchKey");
        (await ExistsAsync(s3, bucket, "absent")).Should().BeFalse();
    }

    [Fact]
    public async Task AnotherAccount_CannotReadOrSetTheObjectsAcl()
    {
        using var alice = silo.Alices3();
        using var bob = silo.Bobs3();
        var bucket = await CreateBucketAsync(alice);
        await PutAsync(alice, bucket, "k", [1]);

        var put = await FailsAsync(() => bob.PutObjectAclAsync(new PutObjectAclRequest { BucketName = bucket, Key = "k", ACL = S3CannedACL.AWSExecRead }));
        var get = await FailsAsync(() => bob.GetObjectAclAsync(new GetObjectAclRequest { BucketName = bucket, Key = "k" }));

        foreach (var error in new[] { put, get })
        {
            error.StatusCode.Should().Be(HttpStatusCode.Forbidden);
            error.ErrorCode.Should().Be("AccessDenied");
        }

        Grants(await alice.GetObjectAclAsync(new GetObjectAclRequest { BucketName = bucket, Key = "k" })).Should().ContainSingle();
    }

    [Fact]
    public async Task GetBucketAcl_StaysTheOwnersFullControl_WhateverItsObjectsRecord()
    {
        using var s3 = silo.Alices3();
        var bucket = await CreateBucketAsync(s3);
        await s3.PutObjectAsync(new Amazon.S3.Model.PutObjectRequest { BucketName = bucket, Key = "k", ContentBody = "1", CannedACL = S3CannedACL.AWSExecRead });

        var acl = await s3.GetBucketAclAsync(new GetBucketAclRequest { BucketName = bucket });

        acl.Grants.Should().ContainSingle().Which.Permission.Value.Should().Be("FULL_CONTROL");
    }

    private static List<(string Type, string Id, string DisplayName, string Permission)> Grants(GetObjectAclResponse acl) =>
        [.. acl.Grants.Select(g => (g.Grantee.Type.Value, g.Grantee.CanonicalUser, g.Grantee.DisplayName, g.Permission.Value))];
}
