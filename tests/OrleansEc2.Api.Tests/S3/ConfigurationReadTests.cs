using System.Net;
using Amazon.S3;
using Amazon.S3.Model;
using OrleansEc2.Api.Tests.Infrastructure;
using static OrleansEc2.Api.Tests.S3.S3TestKit;

namespace OrleansEc2.Api.Tests.S3;

/// <summary>What S3 answers about a bucket or object nobody configured, read through the SDK; only the owner may read it.</summary>
[Collection(ApiSiloCollection.Name)]
public sealed class ConfigurationReadTests(ApiSiloFixture silo)
{
    [Fact]
    public async Task NewBucket_ReadsAsUnconfigured_OwnerHasFullControl_VersioningOff_SseS3_OwnershipEnforced()
    {
        using var s3 = silo.Alices3();
        var bucket = await CreateBucketAsync(s3);

        var acl = await s3.GetBucketAclAsync(new GetBucketAclRequest { BucketName = bucket });
        var versioning = await s3.GetBucketVersioningAsync(new GetBucketVersioningRequest { BucketName = bucket });
        var encryption = await s3.GetBucketEncryptionAsync(new GetBucketEncryptionRequest { BucketName = bucket });
        var ownership = await s3.GetBucketOwnershipControlsAsync(new GetBucketOwnershipControlsRequest { BucketName = bucket });
        var publicAccess = await s3.GetPublicAccessBlockAsync(new GetPublicAccessBlockRequest { BucketName = bucket });
        var logging = await s3.GetBucketLoggingAsync(new GetBucketLoggingRequest { BucketName = bucket });

        acl.Owner.Id.Should().Be(ApiSiloFixture.Alice);
        acl.Owner.DisplayName.Should().Be("alice");
        var grant = acl.Grants.Should().ContainSingle().Subject;
        grant.Grantee.CanonicalUser.Should().Be(ApiSiloFixture.Alice);
        grant.Grantee.Type.Value.Should().Be("CanonicalUser");
        grant.Permission.Value.Should().Be("FULL_CONTROL");
        versioning.VersioningConfig.Status.Value.Should().Be("Off", "a bucket whose versioning was never enabled has no status");
        encryption.ServerSideEncryptionConfiguration.ServerSideEncryptionRules.Should().ContainSingle()
            .Which.ServerSideEncryptionByDefault.ServerSideEncryptionAlgorithm.Value.Should().Be("AES256");
        ownership.OwnershipControls.Rules.Should().ContainSingle().Which.ObjectOwnership.Value.Should().Be("BucketOwnerEnforced");
        publicAccess.PublicAccessBlockConfiguration.BlockPublicAcls.Should().BeTrue();
        publicAccess.PublicAccessBlockConfiguration.RestrictPublicBuckets.Should().BeTrue();
        logging.BucketLoggingConfig.TargetBucketName.Should().BeNull();
    }

    [Fact]
    public async Task NewBucket_ConfigurationsNobodySet_AreTheirNotFoundErrors()
    {
        using var s3 = silo.Alices3();
        using var http = new HttpClient();
        var bucket = await CreateBucketAsync(s3);

        var tagging = await FailsAsync(() => s3.GetBucketTaggingAsync(new GetBucketTaggingRequest { BucketName = bucket }));

        tagging.ErrorCode.Should().Be("NoSuchTagSet");
        tagging.StatusCode.Should().Be(HttpStatusCode.NotFound);

        // Raw requests: some SDK operations turn these 404s into an empty configuration, as they do against S3.
        foreach (var (subresource, code) in new[]
        {
            ("policy", "NoSuchBucketPolicy"),
            ("cors", "NoSuchCORSConfiguration"),
            ("lifecycle", "NoSuchLifecycleConfiguration"),
            ("website", "NoSuchWebsiteConfiguration"),
            ("replication", "ReplicationConfigurationNotFoundError"),
            ("object-lock", "ObjectLockConfigurationNotFoundError"),
        })
        {
            var response = await http.SendAsync(new S3RawRequest { Method = HttpMethod.Get, Uri = new Uri(silo.BaseUri, $"{bucket}?{subresource}") }.Build());

            response.StatusCode.Should().Be(HttpStatusCode.NotFound, subresource);
            (await ErrorOfAsync(response)).Code.Should().Be(code);
        }
    }

    [Fact]
    public async Task Object_AclIsTheBucketOwnersFullControl_AndItHasNoTags()
    {
        using var s3 = silo.Alices3();
        var bucket = await CreateBucketAsync(s3);
        await PutAsync(s3, bucket, "k", [1, 2, 3]);

        var acl = await s3.GetObjectAclAsync(new GetObjectAclRequest { BucketName = bucket, Key = "k" });
        var tags = await s3.GetObjectTaggingAsync(new GetObjectTaggingRequest { BucketName = bucket, Key = "k" });
        var missing = await FailsAsync(() => s3.GetObjectAclAsync(new GetObjectAclRequest { BucketName = bucket, Key = "none" }));

        acl.Owner.Id.Should().Be(ApiSiloFixture.Alice);
        acl.Grants.Should().ContainSingle().Which.Permission.Value.Should().Be("FULL_CONTROL");
        tags.Tagging.Should().BeNullOrEmpty();
        missing.ErrorCode.Should().Be("NoSuchKey");
    }

    [Fact]
    public async Task AnotherAccount_CannotReadTheConfiguration()
    {
        using var alice = silo.Alices3();
        using var bob = silo.Bobs3();
        var bucket = await CreateBucketAsync(alice);
        await PutAsync(alice, bucket, "k", [1]);

        var acl = await FailsAsync(() => bob.GetBucketAclAsync(new GetBucketAclRequest { BucketName = bucket }));
        var versioning = await FailsAsync(() => bob.GetBucketVersioningAsync(new GetBucketVersioningRequest { BucketName = bucket }));
        var tagging = await FailsAsync(() => bob.GetBucketTaggingAsync(new GetBucketTaggingRequest { BucketName = bucket }));
        var objectAcl = await FailsAsync(() => bob.GetObjectAclAsync(new GetObjectAclRequest { BucketName = bucket, Key = "k" }));

        foreach (var error in new[] { acl, versioning, tagging, objectAcl })
        {
            error.ErrorCode.Should().Be("AccessDenied");
            error.StatusCode.Should().Be(HttpStatusCode.Forbidden);
        }
    }
}
