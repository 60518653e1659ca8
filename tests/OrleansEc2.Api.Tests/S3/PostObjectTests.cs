using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Xml.Linq;
using Amazon.S3.Model;
using OrleansEc2.Api.Tests.Infrastructure;
using OrleansEc2.Client;
using static OrleansEc2.Api.Tests.S3.S3TestKit;

namespace OrleansEc2.Api.Tests.S3;

/// <summary>
/// POST Object, the browser's form upload, with the policies it is checked against: BundleInstance's upload policy
/// (Signature Version 2, exactly as <see cref="UploadPolicies"/> builds and signs it) lets its holder write under the
/// prefix and nowhere else; today's SigV4 forms work too; every refusal is S3's code, status and message. Policy
/// expirations are read on the simulated clock, as BundleInstance reads them.
/// </summary>
[Collection(ApiSiloCollection.Name)]
public sealed class PostObjectTests(ApiSiloFixture silo)
{
    private const string Prefix = "winami";

    private static readonly HttpClient Http = new(new SocketsHttpHandler { AllowAutoRedirect = false });

    private DateTimeOffset Now => silo.Time.GetUtcNow();

    [Fact]
    public async Task UploadPolicy_OfBundleInstance_StoresThePartUnderThePrefix_ReadableThroughTheSdk()
    {
        using var s3 = silo.Alices3();
        var bucket = await CreateBucketAsync(s3, "post");
        var part = Bytes(300_000, 7);
        var policy = UploadPolicies.Build(bucket, Prefix, Now.AddHours(24));

        var response = await PostForm.UploadPolicy(policy, Prefix + ".part.00", part).PostAsync(Http, silo.BaseUri, bucket);

        var md5 = Convert.ToHexStringLower(MD5.HashData(part));
        response.StatusCode.Should().Be(HttpStatusCode.NoContent, await response.Content.ReadAsStringAsync());
        response.Headers.ETag!.Tag.Should().Be($"\"{md5}\"");
        response.Headers.Location.Should().Be(new Uri(silo.BaseUri, $"{bucket}/{Prefix}.part.00"));
        (await ReadAllAsync(s3, bucket, Prefix + ".part.00")).Should().Equal(part);
        var head = await s3.GetObjectMetadataAsync(bucket, Prefix + ".part.00");
        head.ETag.Should().Be($"\"{md5}\"");
        head.Headers.ContentType.Should().Be("binary/octet-stream");
        head.ContentLength.Should().Be(part.Length);
    }

    [Theory]
    [InlineData("other.part.00")]
    [InlineData("winam.part.00")]
    [InlineData("WINAMI.part.00")]
    public async Task UploadPolicy_KeyOutsideThePrefix_IsAccessDeniedAndStoresNothing(string key)
    {
        using var s3 = silo.Alices3();
        var bucket = await CreateBucketAsync(s3, "post");
        var policy = UploadPolicies.Build(bucket, Prefix, Now.AddHours(24));

        var response = await PostForm.UploadPolicy(policy, key, [1, 2, 3]).PostAsync(Http, silo.BaseUri, bucket);

        await ShouldFailAsync(response, HttpStatusCode.Forbidden, "AccessDenied", "Invalid according to Policy: Policy Condition failed: [\"starts-with\", \"$key\", \"winami\"]");
        (await ExistsAsync(s3, bucket, key)).Should().BeFalse();
    }

    [Fact]
    public async Task UploadPolicy_ForAnotherBucket_IsAccessDenied()
    {
        using var s3 = silo.Alices3();
        var bucket = await CreateBucketAsync(s3, "post");
        var other = await CreateBucketAsync(s3, "post-other");
        var policy = UploadPolicies.Build(other, Prefix, Now.AddHours(24));

        var response = await PostForm.UploadPolicy(policy, Prefix + ".manifest.xml", [1]).PostAsync(Http, silo.BaseUri, bucket);

        await ShouldFailAsync(response, HttpStatusCode.Forbidden, "AccessDenied", $"Invalid according to Policy: Policy Condition failed: [\"eq\", \"$bucket\", \"{other}\"]");
        (await ExistsAsync(s3, bucket, Prefix + ".manifest.xml")).Should().BeFalse();
    }

    [Fact]
    public async Task UploadPolicy_WithAnotherAcl_IsAccessDenied()
    {
        using var s3 = silo.Alices3();
        var bucket = await CreateBucketAsync(s3, "post");
        var form = PostForm.UploadPolicy(UploadPolicies.Build(bucket, Prefix, Now.AddHours(24)), Prefix + ".part.00", [1]).Set("acl", "private");

        var response = await form.PostAsync(Http, silo.BaseUri, bucket);

        await ShouldFailAsync(response, HttpStatusCode.Forbidden, "AccessDenied", "Invalid according to Policy: Policy Condition failed: [\"eq\", \"$acl\", \"ec2-bundle-read\"]");
    }

    [Fact]
    public async Task UploadPolicy_Expired_IsAccessDeniedPolicyExpired()
    {
        using var s3 = silo.Alices3();
        var bucket = await CreateBucketAsync(s3, "post");
        var policy = UploadPolicies.Build(bucket, Prefix, Now.AddSeconds(-1));

        var response = await PostForm.UploadPolicy(policy, Prefix + ".part.00", [1]).PostAsync(Http, silo.BaseUri, bucket);

        await ShouldFailAsync(response, HttpStatusCode.Forbidden, "AccessDenied", "Invalid according to Policy: Policy expired.");
        (await ExistsAsync(s3, bucket, Prefix + ".part.00")).Should().BeFalse();
    }

    [Fact]
    public async Task UploadPolicy_SignedWithAnotherSecret_IsSignatureDoesNotMatch()
    {
        using var s3 = silo.Alices3();
        var bucket = await CreateBucketAsync(s3, "post");
        var policy = UploadPolicies.Build(bucket, Prefix, Now.AddHours(24));
        var form = PostForm.UploadPolicy(policy, Prefix + ".part.00", [1], secret: ApiSiloFixture.BobSecret);

        var response = await form.PostAsync(Http, silo.BaseUri, bucket);

        var error = await ShouldFailAsync(response, HttpStatusCode.Forbidden, "SignatureDoesNotMatch", "The request signature we calculated does not match the signature you provided. Check your key and signing method.");
        error["AWSAccessKeyId"].Should().Be(ApiSiloFixture.AliceKey);
        error["StringToSign"].Should().Be(policy);
        error["SignatureProvided"].Should().Be(UploadPolicies.Sign(policy, ApiSiloFixture.BobSecret));
        (await ExistsAsync(s3, bucket, Prefix + ".part.00")).Should().BeFalse();
    }

    [Fact]
    public async Task UploadPolicy_TamperedAfterSigning_IsSignatureDoesNotMatch()
    {
        using var s3 = silo.Alices3();
        var bucket = await CreateBucketAsync(s3, "post");
        var form = PostForm.UploadPolicy(UploadPolicies.Build(bucket, Prefix, Now.AddHours(24)), "anything/at/all", [1]);
        form.Set("policy", PostForm.Policy(Now.AddHours(24), $"{{\"bucket\": \"{bucket}\"}}", "{\"acl\": \"ec2-bundle-read\"}", "[\"starts-with\", \"$key\", \"\"]"));

        var response = await form.PostAsync(Http, silo.BaseUri, bucket);

        await ShouldFailAsync(response, HttpStatusCode.Forbidden, "SignatureDoesNotMatch", "The request signature we calculated does not match the signature you provided. Check your key and signing method.");
        (await ExistsAsync(s3, bucket, "anything/at/all")).Should().BeFalse();
    }

    [Fact]
    public async Task UploadPolicy_UnknownAccessKeyId_IsInvalidAccessKeyId()
    {
        using var s3 = silo.Alices3();
        var bucket = await CreateBucketAsync(s3, "post");
        var form = PostForm.UploadPolicy(UploadPolicies.Build(bucket, Prefix, Now.AddHours(24)), Prefix + ".part.00", [1], accessKeyId: "AKIANOSUCHKEYEXAMPLE");

        var response = await form.PostAsync(Http, silo.BaseUri, bucket);

        var error = await ShouldFailAsync(response, HttpStatusCode.Forbidden, "InvalidAccessKeyId", "The AWS Access Key Id you provided does not exist in our records.");
        error["AWSAccessKeyId"].Should().Be("AKIANOSUCHKEYEXAMPLE");
    }

    [Theory]
    [InlineData("key", "Bucket POST must contain a field named 'key'.  If it is specified, please check the order of the fields.", "key")]
    [InlineData("signature", "Bucket POST must contain a field named 'Signature'.  If it is specified, please check the order of the fields.", "Signature")]
    [InlineData("AWSAccessKeyId", "Bucket POST must contain a field named 'AWSAccessKeyId'.  If it is specified, please check the order of the fields.", "AWSAccessKeyId")]
    [InlineData("policy", "Bucket POST must contain a field named 'Policy'.  If it is specified, please check the order of the fields.", "Policy")]
    public async Task Form_MissingARequiredField_IsInvalidArgumentNamingIt(string field, string message, string argumentName)
    {
        using var s3 = silo.Alices3();
        var bucket = await CreateBucketAsync(s3, "post");
        var form = PostForm.UploadPolicy(UploadPolicies.Build(bucket, Prefix, Now.AddHours(24)), Prefix + ".part.00", [1]).Remove(field);

        var response = await form.PostAsync(Http, silo.BaseUri, bucket);

        var error = await ShouldFailAsync(response, HttpStatusCode.BadRequest, "InvalidArgument", message);
        error["ArgumentName"].Should().Be(argumentName);
        error["ArgumentValue"].Should().BeEmpty();
    }

    [Fact]
    public async Task Form_KeyAfterTheFile_IsIgnoredSoTheKeyIsMissing()
    {
        using var s3 = silo.Alices3();
        var bucket = await CreateBucketAsync(s3, "post");
        var form = PostForm.UploadPolicy(UploadPolicies.Build(bucket, Prefix, Now.AddHours(24)), Prefix + ".part.00", [1]).Remove("key");
        form.After.Add(("key", Prefix + ".part.00"));

        var response = await form.PostAsync(Http, silo.BaseUri, bucket);

        await ShouldFailAsync(response, HttpStatusCode.BadRequest, "InvalidArgument", "Bucket POST must contain a field named 'key'.  If it is specified, please check the order of the fields.");
    }

    [Fact]
    public async Task Form_FieldsAfterTheFile_AreIgnored()
    {
        using var s3 = silo.Alices3();
        var bucket = await CreateBucketAsync(s3, "post");
        var form = PostForm.UploadPolicy(UploadPolicies.Build(bucket, Prefix, Now.AddHours(24)), Prefix + ".part.00", [4, 5, 6]);
        form.After.Add(("x-amz-meta-uncovered", "would be an extra field"));
        form.After.Add(("success_action_status", "201"));

        var response = await form.PostAsync(Http, silo.BaseUri, bucket);

        response.StatusCode.Should().Be(HttpStatusCode.NoContent);
        (await s3.GetObjectMetadataAsync(bucket, Prefix + ".part.00")).Metadata.Count.Should().Be(0);
    }

    [Theory]
    [InlineData("Content-Type", "image/png")]
    [InlineData("x-amz-meta-color", "blue")]
    [InlineData("success_action_status", "201")]
    public async Task UploadPolicy_AFieldItDoesNotName_IsAccessDeniedExtraInputFields(string field, string value)
    {
        using var s3 = silo.Alices3();
        var bucket = await CreateBucketAsync(s3, "post");
        var form = PostForm.UploadPolicy(UploadPolicies.Build(bucket, Prefix, Now.AddHours(24)), Prefix + ".part.00", [1]).Add(field, value);

        var response = await form.PostAsync(Http, silo.BaseUri, bucket);

        await ShouldFailAsync(response, HttpStatusCode.Forbidden, "AccessDenied", $"Invalid according to Policy: Extra input fields: {field}");
        (await ExistsAsync(s3, bucket, Prefix + ".part.00")).Should().BeFalse();
    }

    [Fact]
    public async Task Form_IgnoredFields_NeedNoCondition()
    {
        using var s3 = silo.Alices3();
        var bucket = await CreateBucketAsync(s3, "post");
        var form = PostForm.UploadPolicy(UploadPolicies.Build(bucket, Prefix, Now.AddHours(24)), Prefix + ".part.00", [1])
            .Add("x-ignore-submit", "Upload").Add("X-Ignore-Flash-Filename", "part.00");

        var response = await form.PostAsync(Http, silo.BaseUri, bucket);

        response.StatusCode.Should().Be(HttpStatusCode.NoContent, await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Policy_ContentLengthRange_RefusesFilesOutsideIt_AndTakesThoseInside()
    {
        using var s3 = silo.Alices3();
        var bucket = await CreateBucketAsync(s3, "post");
        PostForm FormOf(int length) => Signed(bucket, "sized/file", Bytes(length, length), "[\"content-length-range\", 10, 1000]", "[\"starts-with\", \"$key\", \"sized/\"]");

        var tooSmall = await FormOf(9).PostAsync(Http, silo.BaseUri, bucket);
        var tooLarge = await FormOf(1001).PostAsync(Http, silo.BaseUri, bucket);
        var smallestStored = (await ExistsAsync(s3, bucket, "sized/file"));
        var smallest = await FormOf(10).PostAsync(Http, silo.BaseUri, bucket);
        var largest = await FormOf(1000).PostAsync(Http, silo.BaseUri, bucket);

        var small = await ShouldFailAsync(tooSmall, HttpStatusCode.BadRequest, "EntityTooSmall", "Your proposed upload is smaller than the minimum allowed size");
        small["ProposedSize"].Should().Be("9");
        small["MinSizeAllowed"].Should().Be("10");
        var large = await ShouldFailAsync(tooLarge, HttpStatusCode.BadRequest, "EntityTooLarge", "Your proposed upload exceeds the maximum allowed size");
        large["MaxSizeAllowed"].Should().Be("1000");
        smallestStored.Should().BeFalse("neither refused file was stored");
        smallest.StatusCode.Should().Be(HttpStatusCode.NoContent);
        largest.StatusCode.Should().Be(HttpStatusCode.NoContent);
        (await ReadAllAsync(s3, bucket, "sized/file")).Should().Equal(Bytes(1000, 1000));
    }

    [Fact]
    public async Task Key_WithFilenameVariable_IsTheUploadedFilesName_WithoutItsPath()
    {
        using var s3 = silo.Alices3();
        var bucket = await CreateBucketAsync(s3, "post");
        var form = Signed(bucket, "users/betty/${filename}", [1, 2, 3], "[\"starts-with\", \"$key\", \"users/betty/\"]");
        form.FileName = "C:\\Documents and Settings\\betty\\lolcatz.jpg";

        var response = await form.PostAsync(Http, silo.BaseUri, bucket);

        response.StatusCode.Should().Be(HttpStatusCode.NoContent, await response.Content.ReadAsStringAsync());
        response.Headers.Location.Should().Be(new Uri(silo.BaseUri, $"{bucket}/users/betty/lolcatz.jpg"));
        (await ReadAllAsync(s3, bucket, "users/betty/lolcatz.jpg")).Should().Equal([1, 2, 3]);
    }

    [Fact]
    public async Task Key_WithFilenameVariable_IsCheckedAgainstThePolicyExpanded()
    {
        using var s3 = silo.Alices3();
        var bucket = await CreateBucketAsync(s3, "post");
        var form = Signed(bucket, "${filename}", [1], "[\"starts-with\", \"$key\", \"users/\"]");
        form.FileName = "escape.txt";

        var response = await form.PostAsync(Http, silo.BaseUri, bucket);

        await ShouldFailAsync(response, HttpStatusCode.Forbidden, "AccessDenied", "Invalid according to Policy: Policy Condition failed: [\"starts-with\", \"$key\", \"users/\"]");
        (await ExistsAsync(s3, bucket, "escape.txt")).Should().BeFalse();
    }

    [Fact]
    public async Task SuccessActionStatus201_AnswersThePostResponseDocument()
    {
        using var s3 = silo.Alices3();
        var bucket = await CreateBucketAsync(s3, "post");
        var content = Encoding.UTF8.GetBytes("hello, form");
        var form = Signed(bucket, "docs/a b.txt", content, "[\"starts-with\", \"$key\", \"docs/\"]", "{\"success_action_status\": \"201\"}").Add("success_action_status", "201");

        var response = await form.PostAsync(Http, silo.BaseUri, bucket);

        var etag = $"\"{Convert.ToHexStringLower(MD5.HashData(content))}\"";
        var text = await response.Content.ReadAsStringAsync();
        response.StatusCode.Should().Be(HttpStatusCode.Created, text);
        response.Content.Headers.ContentType!.MediaType.Should().Be("application/xml");
        var root = XDocument.Parse(text).Root!;
        root.Name.LocalName.Should().Be("PostResponse");
        root.Element("Location")!.Value.Should().Be($"{silo.BaseUri}{bucket}/docs/a%20b.txt");
        root.Element("Bucket")!.Value.Should().Be(bucket);
        root.Element("Key")!.Value.Should().Be("docs/a b.txt");
        root.Element("ETag")!.Value.Should().Be(etag);
        (await ReadAllAsync(s3, bucket, "docs/a b.txt")).Should().Equal(content);
    }

    [Theory]
    [InlineData("200", HttpStatusCode.OK)]
    [InlineData("204", HttpStatusCode.NoContent)]
    [InlineData("302", HttpStatusCode.NoContent)]
    [InlineData("garbage", HttpStatusCode.NoContent)]
    public async Task SuccessActionStatus_OtherValues_AnswerAnEmptyDocument(string value, HttpStatusCode status)
    {
        using var s3 = silo.Alices3();
        var bucket = await CreateBucketAsync(s3, "post");
        var form = Signed(bucket, "k", [1], "{\"key\": \"k\"}", $"{{\"success_action_status\": \"{value}\"}}").Add("success_action_status", value);

        var response = await form.PostAsync(Http, silo.BaseUri, bucket);

        response.StatusCode.Should().Be(status);
        (await response.Content.ReadAsByteArrayAsync()).Should().BeEmpty();
        response.Headers.ETag!.Tag.Should().Be($"\"{Convert.ToHexStringLower(MD5.HashData(new byte[] { 1 }))}\"");
    }

    [Theory]
    [InlineData("success_action_redirect", "https://example.com/done", "https://example.com/done?")]
    [InlineData("success_action_redirect", "http://example.com/done?from=form#top", "http://example.com/done?from=form&")]
    [InlineData("redirect", "https://example.com/legacy", "https://example.com/legacy?")]
    public async Task SuccessActionRedirect_Answers303ToItWithBucketKeyAndETag(string field, string url, string expectedStart)
    {
        using var s3 = silo.Alices3();
        var bucket = await CreateBucketAsync(s3, "post");
        var form = Signed(bucket, "up/x y", [9], "[\"starts-with\", \"$key\", \"up/\"]", $"[\"starts-with\", \"${field}\", \"http\"]").Add(field, url);

        var response = await form.PostAsync(Http, silo.BaseUri, bucket);

        var etag = $"\"{Convert.ToHexStringLower(MD5.HashData(new byte[] { 9 }))}\"";
        response.StatusCode.Should().Be(HttpStatusCode.SeeOther, await response.Content.ReadAsStringAsync());
        var location = response.Headers.Location!.OriginalString;
        location.Should().Be($"{expectedStart}bucket={bucket}&key=up%2Fx%20y&etag={Uri.EscapeDataString(etag)}{(url.EndsWith("#top", StringComparison.Ordinal) ? "#top" : "")}");
        (await ReadAllAsync(s3, bucket, "up/x y")).Should().Equal([9]);
    }

    [Fact]
    public async Task SuccessActionRedirect_NotAUrl_IsIgnored()
    {
        using var s3 = silo.Alices3();
        var bucket = await CreateBucketAsync(s3, "post");
        var form = Signed(bucket, "k", [1], "{\"key\": \"k\"}", "[\"starts-with\", \"$success_action_redirect\", \"\"]").Add("success_action_redirect", "not a url");

        var response = await form.PostAsync(Http, silo.BaseUri, bucket);

        response.StatusCode.Should().Be(HttpStatusCode.NoContent);
    }

    [Fact]
    public async Task SigV4Form_StoresTheFileWithItsContentTypeAndMetadata()
    {
        using var s3 = silo.Alices3();
        var bucket = await CreateBucketAsync(s3, "post");
        var content = Bytes(70_000, 3);
        var form = PostForm.SigV4(bucket, "user/eric/", content, Now.AddHours(1), DateTimeOffset.UtcNow, ["[\"starts-with\", \"$Content-Type\", \"image/\"]", "{\"x-amz-meta-uuid\": \"14365123651274\"}"])
            .Set("key", "user/eric/photo.png")
            .Add("Content-Type", "image/png")
            .Add("x-amz-meta-uuid", "14365123651274");

        var response = await form.PostAsync(Http, silo.BaseUri, bucket);

        response.StatusCode.Should().Be(HttpStatusCode.NoContent, await response.Content.ReadAsStringAsync());
        using var got = await s3.GetObjectAsync(bucket, "user/eric/photo.png");
        got.Headers.ContentType.Should().Be("image/png");
        got.Metadata["uuid"].Should().Be("14365123651274");
        got.ETag.Should().Be($"\"{Convert.ToHexStringLower(MD5.HashData(content))}\"");
        (await ReadAllAsync(s3, bucket, "user/eric/photo.png")).Should().Equal(content);
    }

    [Fact]
    public async Task SigV4Form_WrongSignature_IsSignatureDoesNotMatch()
    {
        using var s3 = silo.Alices3();
        var bucket = await CreateBucketAsync(s3, "post");
        var form = PostForm.SigV4(bucket, "user/", [1], Now.AddHours(1), DateTimeOffset.UtcNow, secret: ApiSiloFixture.BobSecret).Set("key", "user/x");

        var response = await form.PostAsync(Http, silo.BaseUri, bucket);

        var error = await ShouldFailAsync(response, HttpStatusCode.Forbidden, "SignatureDoesNotMatch", "The request signature we calculated does not match the signature you provided. Check your key and signing method.");
        error["SignatureProvided"].Should().Be(form.Get("x-amz-signature"));
        (await ExistsAsync(s3, bucket, "user/x")).Should().BeFalse();
    }

    [Fact]
    public async Task SigV4Form_UnknownAccessKey_IsInvalidAccessKeyId()
    {
        using var s3 = silo.Alices3();
        var bucket = await CreateBucketAsync(s3, "post");
        var form = PostForm.SigV4(bucket, "user/", [1], Now.AddHours(1), DateTimeOffset.UtcNow, accessKeyId: "AKIANOSUCHKEYEXAMPLE").Set("key", "user/x");

        var response = await form.PostAsync(Http, silo.BaseUri, bucket);

        await ShouldFailAsync(response, HttpStatusCode.Forbidden, "InvalidAccessKeyId", "The AWS Access Key Id you provided does not exist in our records.");
    }

    [Theory]
    [InlineData("x-amz-credential", "X-Amz-Credential")]
    [InlineData("x-amz-date", "X-Amz-Date")]
    [InlineData("x-amz-algorithm", "X-Amz-Algorithm")]
    [InlineData("x-amz-signature", "X-Amz-Signature")]
    public async Task SigV4Form_MissingASignatureField_IsInvalidArgumentNamingIt(string field, string argumentName)
    {
        using var s3 = silo.Alices3();
        var bucket = await CreateBucketAsync(s3, "post");
        var form = PostForm.SigV4(bucket, "user/", [1], Now.AddHours(1), DateTimeOffset.UtcNow).Set("key", "user/x").Remove(field);

        var response = await form.PostAsync(Http, silo.BaseUri, bucket);

        var error = await ShouldFailAsync(response, HttpStatusCode.BadRequest, "InvalidArgument", $"Bucket POST must contain a field named '{argumentName}'.  If it is specified, please check the order of the fields.");
        error["ArgumentName"].Should().Be(argumentName);
    }

    [Theory]
    [InlineData("us-east-1", "sqs", "Error parsing the X-Amz-Credential parameter; incorrect service \"sqs\". This endpoint belongs to \"s3\".")]
    [InlineData("nowhere-1", "s3", "Error parsing the X-Amz-Credential parameter; the region 'nowhere-1' is wrong; expecting one of ")]
    public async Task SigV4Form_CredentialForAnotherServiceOrRegion_IsAuthorizationQueryParametersError(string region, string service, string messageStart)
    {
        using var s3 = silo.Alices3();
        var bucket = await CreateBucketAsync(s3, "post");
        var form = PostForm.SigV4(bucket, "user/", [1], Now.AddHours(1), DateTimeOffset.UtcNow).Set("key", "user/x");
        form.Set("x-amz-credential", form.Get("x-amz-credential").Replace("/us-east-1/s3/", $"/{region}/{service}/", StringComparison.Ordinal));

        var response = await form.PostAsync(Http, silo.BaseUri, bucket);

        response.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        var error = await PostForm.ErrorAsync(response);
        error["Code"].Should().Be("AuthorizationQueryParametersError");
        error["Message"].Should().StartWith(messageStart);
    }

    [Fact]
    public async Task SigV4Form_PolicyWithoutTheCredentialConditions_IsAccessDeniedExtraInputFields()
    {
        using var s3 = silo.Alices3();
        var bucket = await CreateBucketAsync(s3, "post");
        var amzDate = PostForm.SigV4Format(DateTimeOffset.UtcNow);
        var policy = PostForm.Policy(Now.AddHours(1), $"{{\"bucket\": \"{bucket}\"}}", "{\"key\": \"k\"}");
        var form = new PostForm { File = new ByteArrayContent([1]) }
            .Add("key", "k").Add("x-amz-algorithm", "AWS4-HMAC-SHA256").Add("x-amz-credential", $"{ApiSiloFixture.AliceKey}/{amzDate[..8]}/us-east-1/s3/aws4_request")
            .Add("x-amz-date", amzDate).Add("policy", policy)
            .Add("x-amz-signature", OrleansEc2.Api.Auth.SigV4.Sign(OrleansEc2.Api.Auth.SigV4.SigningKey(ApiSiloFixture.AliceSecret, amzDate[..8], "us-east-1", "s3"), policy));

        var response = await form.PostAsync(Http, silo.BaseUri, bucket);

        await ShouldFailAsync(response, HttpStatusCode.Forbidden, "AccessDenied", "Invalid according to Policy: Extra input fields: x-amz-algorithm, x-amz-credential, x-amz-date");
    }

    [Fact]
    public async Task Bob_WithAPolicySignedByHimself_CannotWriteAlicesBucket()
    {
        using var s3 = silo.Alices3();
        var bucket = await CreateBucketAsync(s3, "post");
        var form = PostForm.UploadPolicy(UploadPolicies.Build(bucket, Prefix, Now.AddHours(24)), Prefix + ".part.00", [6, 6, 6], ApiSiloFixture.BobKey, ApiSiloFixture.BobSecret);

        var response = await form.PostAsync(Http, silo.BaseUri, bucket);

        await ShouldFailAsync(response, HttpStatusCode.Forbidden, "AccessDenied", "Access Denied");
        (await ExistsAsync(s3, bucket, Prefix + ".part.00")).Should().BeFalse();
    }

    [Fact]
    public async Task Form_WithoutPolicyOrSignature_IsAnonymousAndAccessDenied()
    {
        using var s3 = silo.Alices3();
        var bucket = await CreateBucketAsync(s3, "post");
        var form = new PostForm { File = new ByteArrayContent([1]) }.Add("key", "anonymous.txt");

        var response = await form.PostAsync(Http, silo.BaseUri, bucket);

        await ShouldFailAsync(response, HttpStatusCode.Forbidden, "AccessDenied", "Access Denied");
        (await ExistsAsync(s3, bucket, "anonymous.txt")).Should().BeFalse();
    }

    [Fact]
    public async Task Post_ToAMissingBucket_IsNoSuchBucket()
    {
        var bucket = UniqueBucket("post-missing");
        var form = PostForm.UploadPolicy(UploadPolicies.Build(bucket, Prefix, Now.AddHours(24)), Prefix + ".part.00", [1]);

        var response = await form.PostAsync(Http, silo.BaseUri, bucket);

        var error = await ShouldFailAsync(response, HttpStatusCode.NotFound, "NoSuchBucket", $"The specified bucket does not exist: {bucket}.");
        error["BucketName"].Should().Be(bucket);
    }

    [Fact]
    public async Task Post_NotMultipartFormData_IsPreconditionFailed()
    {
        using var s3 = silo.Alices3();
        var bucket = await CreateBucketAsync(s3, "post");

        var response = await Http.PostAsync(new Uri(silo.BaseUri, bucket), new FormUrlEncodedContent([new("key", "k")]));

        var error = await ShouldFailAsync(response, HttpStatusCode.PreconditionFailed, "PreconditionFailed", "At least one of the pre-conditions you specified did not hold");
        error["Condition"].Should().Be("Bucket POST must be of the enclosure-type multipart/form-data");
    }

    [Fact]
    public async Task Form_WithoutAFile_IsIncorrectNumberOfFilesInPostRequest()
    {
        using var s3 = silo.Alices3();
        var bucket = await CreateBucketAsync(s3, "post");
        var form = PostForm.UploadPolicy(UploadPolicies.Build(bucket, Prefix, Now.AddHours(24)), Prefix + ".part.00", [1]);
        var content = new MultipartFormDataContent();
        foreach (var (name, value) in form.Fields)
        {
            content.Add(new StringContent(value), name);
        }

        var response = await Http.PostAsync(new Uri(silo.BaseUri, bucket), content);

        await ShouldFailAsync(response, HttpStatusCode.BadRequest, "IncorrectNumberOfFilesInPostRequest", "POST requires exactly one file upload per request.");
    }

    [Fact]
    public async Task Form_FieldsBeforeTheFileOver20KB_AreMaxPostPreDataLengthExceeded()
    {
        using var s3 = silo.Alices3();
        var bucket = await CreateBucketAsync(s3, "post");
        var form = PostForm.UploadPolicy(UploadPolicies.Build(bucket, Prefix, Now.AddHours(24)), Prefix + ".part.00", [1]).Add("x-ignore-padding", new string('p', 20 * 1024));

        var response = await form.PostAsync(Http, silo.BaseUri, bucket);

        await ShouldFailAsync(response, HttpStatusCode.BadRequest, "MaxPostPreDataLengthExceeded", "Your POST request fields preceding the upload file were too large.");
    }

    [Fact]
    public async Task Form_BodyCutInsideTheFile_IsMalformedPostRequest_AndStoresNothing()
    {
        using var s3 = silo.Alices3();
        var bucket = await CreateBucketAsync(s3, "post");
        var form = PostForm.UploadPolicy(UploadPolicies.Build(bucket, Prefix, Now.AddHours(24)), Prefix + ".part.00", Bytes(5000, 1));
        var built = form.Build();
        var wire = await built.ReadAsByteArrayAsync();
        var cut = new ByteArrayContent(wire[..^200]);
        cut.Headers.ContentType = built.Headers.ContentType;

        var response = await Http.PostAsync(new Uri(silo.BaseUri, bucket), cut);

        await ShouldFailAsync(response, HttpStatusCode.BadRequest, "MalformedPOSTRequest", "The body of your POST request is not well-formed multipart/form-data.");
        (await ExistsAsync(s3, bucket, Prefix + ".part.00")).Should().BeFalse();
    }

    [Theory]
    [InlineData("not base64!", "Invalid Policy: the policy field is not base64.")]
    [InlineData("eyJleHBpcmF0aW9uIjog", "Invalid Policy: Invalid JSON.")]
    [InlineData("{\"conditions\": []}", "Invalid Policy: Policy missing expiration.")]
    [InlineData("{\"expiration\": \"2030-01-01T00:00:00Z\"}", "Invalid Policy: Policy missing conditions.")]
    [InlineData("{\"expiration\": \"tomorrow\", \"conditions\": []}", "Invalid Policy: Invalid 'expiration' value: 'tomorrow'.")]
    [InlineData("{\"expiration\": \"2030-01-01T00:00:00Z\", \"conditions\": [{\"a\": \"1\", \"b\": \"2\"}]}", "Invalid Policy: Invalid Simple-Condition: Simple-Conditions must have exactly one property specified.")]
    [InlineData("{\"expiration\": \"2030-01-01T00:00:00Z\", \"conditions\": [{\"a\": 1}]}", "Invalid Policy: Invalid Simple-Condition: value must be a string.")]
    [InlineData("{\"expiration\": \"2030-01-01T00:00:00Z\", \"conditions\": [[\"in\", \"$key\", \"a\"]]}", "Invalid Policy: Invalid Condition: unknown operation 'in'.")]
    [InlineData("{\"expiration\": \"2030-01-01T00:00:00Z\", \"conditions\": [[\"content-length-range\", 10, 1]]}", "Invalid Policy: Invalid content-length-range Condition: it must be [\"content-length-range\", min, max] with 0 <= min <= max.")]
    [InlineData("{\"expiration\": \"2030-01-01T00:00:00Z\", \"conditions\": [], \"extra\": 1}", "Invalid Policy: Unexpected field: 'extra'.")]
    public async Task Policy_ThatCannotBeRead_IsInvalidPolicyDocument(string policy, string message)
    {
        using var s3 = silo.Alices3();
        var bucket = await CreateBucketAsync(s3, "post");
        var encoded = policy.StartsWith('{') ? Convert.ToBase64String(Encoding.UTF8.GetBytes(policy)) : policy;
        var form = PostForm.UploadPolicy(encoded, "k", [1]);

        var response = await form.PostAsync(Http, silo.BaseUri, bucket);

        await ShouldFailAsync(response, HttpStatusCode.BadRequest, "InvalidPolicyDocument", message);
    }

    [Fact]
    public async Task Form_WithAChecksumField_VerifiesAndStoresIt()
    {
        using var s3 = silo.Alices3();
        var bucket = await CreateBucketAsync(s3, "post");
        var content = Bytes(1000, 5);
        var good = Signed(bucket, "sum/good", content, "[\"starts-with\", \"$key\", \"sum/\"]", "[\"starts-with\", \"$x-amz-checksum-crc32\", \"\"]").Add("x-amz-checksum-crc32", Crc32Base64(content));
        var bad = Signed(bucket, "sum/bad", content, "[\"starts-with\", \"$key\", \"sum/\"]", "[\"starts-with\", \"$x-amz-checksum-crc32\", \"\"]").Add("x-amz-checksum-crc32", Crc32Base64([1]));

        var stored = await good.PostAsync(Http, silo.BaseUri, bucket);
        var refused = await bad.PostAsync(Http, silo.BaseUri, bucket);

        stored.StatusCode.Should().Be(HttpStatusCode.NoContent, await stored.Content.ReadAsStringAsync());
        stored.Headers.GetValues("x-amz-checksum-crc32").Single().Should().Be(Crc32Base64(content));
        var head = await s3.GetObjectMetadataAsync(new GetObjectMetadataRequest { BucketName = bucket, Key = "sum/good", ChecksumMode = Amazon.S3.ChecksumMode.ENABLED });
        head.ChecksumCRC32.Should().Be(Crc32Base64(content));
        await ShouldFailAsync(refused, HttpStatusCode.BadRequest, "BadDigest", "The CRC32 you specified did not match the calculated checksum.");
        (await ExistsAsync(s3, bucket, "sum/bad")).Should().BeFalse();
    }

    [Fact]
    public async Task Form_WithContentMd5_ThatDoesNotMatch_IsBadDigest()
    {
        using var s3 = silo.Alices3();
        var bucket = await CreateBucketAsync(s3, "post");
        var form = Signed(bucket, "md5", [1, 2], "{\"key\": \"md5\"}", "[\"starts-with\", \"$Content-MD5\", \"\"]").Add("Content-MD5", Convert.ToBase64String(MD5.HashData(new byte[] { 3 })));

        var response = await form.PostAsync(Http, silo.BaseUri, bucket);

        await ShouldFailAsync(response, HttpStatusCode.BadRequest, "BadDigest", "The Content-MD5 you specified did not match what we received.");
    }

    [Theory]
    [InlineData("acl", "public-read", HttpStatusCode.BadRequest, "AccessControlListNotSupported")]
    [InlineData("x-amz-storage-class", "GLACIER", HttpStatusCode.NotImplemented, "NotImplemented")]
    public async Task Form_WithASettingThisEndpointDoesNotModel_IsRefused(string field, string value, HttpStatusCode status, string code)
    {
        using var s3 = silo.Alices3();
        var bucket = await CreateBucketAsync(s3, "post");
        var form = Signed(bucket, "k", [1], "{\"key\": \"k\"}", $"[\"starts-with\", \"${field}\", \"\"]").Add(field, value);

        var response = await form.PostAsync(Http, silo.BaseUri, bucket);

        response.StatusCode.Should().Be(status);
        (await PostForm.ErrorAsync(response))["Code"].Should().Be(code);
        (await ExistsAsync(s3, bucket, "k")).Should().BeFalse();
    }

    [Fact]
    public async Task Form_WithATaggingDocument_StoresTheTags()
    {
        using var s3 = silo.Alices3();
        var bucket = await CreateBucketAsync(s3, "post");
        var form = Signed(bucket, "tagged", [1], "{\"key\": \"tagged\"}", "[\"starts-with\", \"$tagging\", \"\"]")
            .Add("tagging", "<Tagging><TagSet><Tag><Key>project</Key><Value>bundle</Value></Tag><Tag><Key>tier</Key><Value></Value></Tag></TagSet></Tagging>");

        var response = await form.PostAsync(Http, silo.BaseUri, bucket);
        var tagging = await s3.GetObjectTaggingAsync(new GetObjectTaggingRequest { BucketName = bucket, Key = "tagged" });

        response.StatusCode.Should().Be(HttpStatusCode.NoContent, await response.Content.ReadAsStringAsync());
        tagging.Tagging.Select(t => (t.Key, t.Value)).Should().Equal(("project", "bundle"), ("tier", ""));
    }

    [Theory]
    [InlineData("project=bundle", "MalformedXML")]
    [InlineData("", "MalformedXML")]
    [InlineData("<Tagging><TagSet><Tag><Key>aws:x</Key><Value>v</Value></Tag></TagSet></Tagging>", "InvalidTag")]
    public async Task Form_WithATaggingFieldThatIsNotATagSet_IsRefused_AndStoresNothing(string tagging, string code)
    {
        using var s3 = silo.Alices3();
        var bucket = await CreateBucketAsync(s3, "post");
        var form = Signed(bucket, "tagged", [1], "{\"key\": \"tagged\"}", "[\"starts-with\", \"$tagging\", \"\"]").Add("tagging", tagging);

        var response = await form.PostAsync(Http, silo.BaseUri, bucket);

        response.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        (await PostForm.ErrorAsync(response))["Code"].Should().Be(code);
        (await ExistsAsync(s3, bucket, "tagged")).Should().BeFalse();
    }

    [Theory]
    [InlineData("ec2-bundle-read")]
    [InlineData("aws-exec-read")]
    public async Task PutObject_WithTheBundleToolsCannedAcl_IsStored_AsThePolicysPostIs(string acl)
    {
        using var http = new HttpClient();
        using var s3 = silo.Alices3();
        var bucket = await CreateBucketAsync(s3, "post");

        var response = await http.SendAsync(new S3RawRequest { Uri = new Uri(silo.BaseUri, $"{bucket}/{Prefix}.part.01"), Body = [1, 2], Headers = { ["x-amz-acl"] = acl } }.Build());

        response.StatusCode.Should().Be(HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        (await ReadAllAsync(s3, bucket, Prefix + ".part.01")).Should().Equal([1, 2]);
    }

    [Fact]
    public async Task CreateBucket_WithTheBundleReadAcl_IsStillRefused()
    {
        using var http = new HttpClient();
        var bucket = UniqueBucket("post-acl");

        var response = await http.SendAsync(new S3RawRequest { Uri = new Uri(silo.BaseUri, bucket), Headers = { ["x-amz-acl"] = "ec2-bundle-read" } }.Build());

        response.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        (await PostForm.ErrorAsync(response))["Code"].Should().Be("AccessControlListNotSupported");
    }

    [Fact]
    public async Task UploadPolicy_CarriesAWholeBundle_PartsThenManifest()
    {
        using var s3 = silo.Alices3();
        var bucket = await CreateBucketAsync(s3, "post");
        var policy = UploadPolicies.Build(bucket, Prefix, Now.AddHours(24));
        string[] keys = [$"{Prefix}.part.00", $"{Prefix}.part.01", $"{Prefix}.manifest.xml"];

        foreach (var (key, index) in keys.Select((k, i) => (k, i)))
        {
            var response = await PostForm.UploadPolicy(policy, key, Bytes(1000 + index, index)).PostAsync(Http, silo.BaseUri, bucket);
            response.StatusCode.Should().Be(HttpStatusCode.NoContent, key);
        }

        var listed = await s3.ListObjectsV2Async(new ListObjectsV2Request { BucketName = bucket });
        listed.S3Objects.Select(o => (o.Key, o.Size!.Value)).Should().Equal(($"{Prefix}.manifest.xml", 1002L), ($"{Prefix}.part.00", 1000L), ($"{Prefix}.part.01", 1001L));
    }

    /// <summary>A SigV4 form for Alice on <paramref name="bucket"/>, its policy the bucket, the credential fields and <paramref name="conditions"/>.</summary>
    private PostForm Signed(string bucket, string key, byte[] file, params string[] conditions)
    {
        var amzDate = PostForm.SigV4Format(DateTimeOffset.UtcNow);
        var credential = $"{ApiSiloFixture.AliceKey}/{amzDate[..8]}/us-east-1/s3/aws4_request";
        var policy = PostForm.Policy(
            Now.AddHours(1),
            [
                $"{{\"bucket\": \"{bucket}\"}}",
                "{\"x-amz-algorithm\": \"AWS4-HMAC-SHA256\"}",
                $"{{\"x-amz-credential\": \"{credential}\"}}",
                $"{{\"x-amz-date\": \"{amzDate}\"}}",
                .. conditions,
            ]);
        var form = new PostForm { File = new ByteArrayContent(file) };
        return form.Add("key", key).Add("x-amz-algorithm", "AWS4-HMAC-SHA256").Add("x-amz-credential", credential).Add("x-amz-date", amzDate)
            .Add("policy", policy)
            .Add("x-amz-signature", OrleansEc2.Api.Auth.SigV4.Sign(OrleansEc2.Api.Auth.SigV4.SigningKey(ApiSiloFixture.AliceSecret, amzDate[..8], "us-east-1", "s3"), policy));
    }

    private static async Task<Dictionary<string, string>> ShouldFailAsync(HttpResponseMessage response, HttpStatusCode status, string code, string message)
    {
        var error = await PostForm.ErrorAsync(response);
        response.StatusCode.Should().Be(status, string.Join(", ", error.Select(e => $"{e.Key}={e.Value}")));
        error["Code"].Should().Be(code);
        error["Message"].Should().Be(message);
        response.Headers.GetValues("x-amz-request-id").Single().Should().Be(error["RequestId"]);
        return error;
    }
}
