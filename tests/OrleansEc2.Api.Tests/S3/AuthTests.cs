using System.Net;
using Amazon.S3;
using Amazon.S3.Model;
using OrleansEc2.Api.Tests.Infrastructure;
using static OrleansEc2.Api.Tests.S3.S3TestKit;

namespace OrleansEc2.Api.Tests.S3;

/// <summary>SigV4 on the S3 API, header and presigned forms: who may do what, and that nothing unsigned changes anything.</summary>
[Collection(ApiSiloCollection.Name)]
public sealed class AuthTests(ApiSiloFixture silo) : IDisposable
{
    private readonly HttpClient _http = new();

    public void Dispose() => _http.Dispose();

    [Fact]
    public async Task Request_UnknownAccessKey_FailsWithInvalidAccessKeyId()
    {
        using var s3 = silo.S3("AKIAUNKNOWNKEY000000", "secret");

        var error = await FailsAsync(() => s3.ListBucketsAsync(new ListBucketsRequest()));

        error.ErrorCode.Should().Be("InvalidAccessKeyId");
        error.StatusCode.Should().Be(HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task Request_WrongSecret_FailsWithSignatureDoesNotMatch_AndCreatesNothing()
    {
        using var s3 = silo.S3(ApiSiloFixture.AliceKey, "not-alices-secret");
        var bucket = UniqueBucket();

        var error = await FailsAsync(() => s3.PutBucketAsync(new PutBucketRequest { BucketName = bucket }));

        error.ErrorCode.Should().Be("SignatureDoesNotMatch");
        error.StatusCode.Should().Be(HttpStatusCode.Forbidden);
        (await silo.Grains.GetGrain<IBucketGrain>(bucket).FindAsync()).Should().BeNull();
    }

    [Fact]
    public async Task Request_SignedTwentyMinutesAgo_FailsWithRequestTimeTooSkewed_AndChangesNothing()
    {
        using var s3 = silo.Alices3();
        var bucket = await CreateBucketAsync(s3);
        await PutAsync(s3, bucket, "k", [1]);

        var response = await _http.SendAsync(new S3RawRequest { Method = HttpMethod.Delete, Uri = new Uri(silo.BaseUri, $"{bucket}/k"), Time = DateTimeOffset.UtcNow.AddMinutes(-20) }.Build());

        response.StatusCode.Should().Be(HttpStatusCode.Forbidden);
        (await ErrorOfAsync(response)).Code.Should().Be("RequestTimeTooSkewed");
        (await ExistsAsync(s3, bucket, "k")).Should().BeTrue();
    }

    [Fact]
    public async Task Request_Unsigned_FailsWithAccessDenied_AndChangesNothing()
    {
        using var s3 = silo.Alices3();
        var bucket = await CreateBucketAsync(s3);
        await PutAsync(s3, bucket, "k", [1]);

        var get = await _http.GetAsync(new Uri(silo.BaseUri, $"{bucket}/k"));
        var put = await _http.PutAsync(new Uri(silo.BaseUri, $"{bucket}/k"), new ByteArrayContent([2, 2]));
        var delete = await _http.DeleteAsync(new Uri(silo.BaseUri, $"{bucket}/k"));
        var list = await _http.GetAsync(silo.BaseUri);

        foreach (var response in new[] { get, put, delete, list })
        {
            response.StatusCode.Should().Be(HttpStatusCode.Forbidden);
            (await ErrorOfAsync(response)).Code.Should().Be("AccessDenied");
        }

        (await ReadAllAsync(s3, bucket, "k")).Should().Equal(1);
    }

    [Fact]
    public async Task Request_ScopedToAnUnconfiguredRegion_FailsWithAuthorizationHeaderMalformed()
    {
        using var s3 = silo.S3(region: "mars-north-1");

        var error = await FailsAsync(() => s3.ListBucketsAsync(new ListBucketsRequest()));

        error.ErrorCode.Should().Be("AuthorizationHeaderMalformed");
        error.StatusCode.Should().Be(HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task Request_WithoutContentSha256Header_FailsWithInvalidRequest()
    {
        using var s3 = silo.Alices3();
        var bucket = await CreateBucketAsync(s3);
        var request = new S3RawRequest { Method = HttpMethod.Get, Uri = new Uri(silo.BaseUri, $"{bucket}/k") }.Build();
        request.Headers.Remove("x-amz-content-sha256");

        var response = await _http.SendAsync(request);

        response.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        (await ErrorOfAsync(response)).Code.Should().Be("InvalidRequest");
    }

    [Fact]
    public async Task Request_SignatureVersion2_IsRefusedWithInvalidRequest()
    {
        using var s3 = silo.Alices3();
        var bucket = await CreateBucketAsync(s3);

        var query = await _http.GetAsync(new Uri(silo.BaseUri, $"{bucket}/k?AWSAccessKeyId={ApiSiloFixture.AliceKey}&Expires=2000000000&Signature=abc%3D"));
        using var header = new HttpRequestMessage(HttpMethod.Get, new Uri(silo.BaseUri, $"{bucket}/k"));
        header.Headers.TryAddWithoutValidation("Authorization", $"AWS {ApiSiloFixture.AliceKey}:frJIUN8DYpKDtOLCwo//yllqDzg=");
        var headerResponse = await _http.SendAsync(header);

        (await ErrorOfAsync(query)).Code.Should().Be("InvalidRequest");
        (await ErrorOfAsync(headerResponse)).Code.Should().Be("InvalidRequest");
    }

    [Fact]
    public async Task PresignedUrls_FromTheSdk_GetAndPutWithAPlainHttpClient()
    {
        using var s3 = silo.Alices3();
        var bucket = await CreateBucketAsync(s3);
        await PutAsync(s3, bucket, "shared.txt", "shared content"u8.ToArray());

        var getUrl = await s3.GetPreSignedURLAsync(new GetPreSignedUrlRequest { BucketName = bucket, Key = "shared.txt", Verb = HttpVerb.GET, Expires = DateTime.UtcNow.AddMinutes(5), Protocol = Amazon.S3.Protocol.HTTP });
        var putUrl = await s3.GetPreSignedURLAsync(new GetPreSignedUrlRequest { BucketName = bucket, Key = "uploaded.txt", Verb = HttpVerb.PUT, Expires = DateTime.UtcNow.AddMinutes(5), Protocol = Amazon.S3.Protocol.HTTP });
        var got = await _http.GetAsync(getUrl);
        var put = await _http.PutAsync(putUrl, new ByteArrayContent("uploaded content"u8.ToArray()));

        getUrl.Should().Contain("X-Amz-Signature=");
        got.StatusCode.Should().Be(HttpStatusCode.OK);
        (await got.Content.ReadAsStringAsync()).Should().Be("shared content");
        put.StatusCode.Should().Be(HttpStatusCode.OK, await put.Content.ReadAsStringAsync());
        (await ReadAllAsync(s3, bucket, "uploaded.txt")).Should().Equal("uploaded content"u8.ToArray());
    }

    [Fact]
    public async Task PresignedUrl_Tampered_FailsWithSignatureDoesNotMatch()
    {
        using var s3 = silo.Alices3();
        var bucket = await CreateBucketAsync(s3);
        await PutAsync(s3, bucket, "a", [1]);
        await PutAsync(s3, bucket, "b", [2]);
        var url = await s3.GetPreSignedURLAsync(new GetPreSignedUrlRequest { BucketName = bucket, Key = "a", Verb = HttpVerb.GET, Expires = DateTime.UtcNow.AddMinutes(5), Protocol = Amazon.S3.Protocol.HTTP });

        var response = await _http.GetAsync(url.Replace($"/{bucket}/a?", $"/{bucket}/b?", StringComparison.Ordinal));

        response.StatusCode.Should().Be(HttpStatusCode.Forbidden);
        (await ErrorOfAsync(response)).Code.Should().Be("SignatureDoesNotMatch");
    }

    [Fact]
    public async Task PresignedUrl_Expired_FailsWithAccessDenied_AndAnExpiredPutStoresNothing()
    {
        using var s3 = silo.Alices3();
        var bucket = await CreateBucketAsync(s3);
        await PutAsync(s3, bucket, "k", [1]);
        var signedLongAgo = DateTimeOffset.UtcNow.AddMinutes(-10);

        var get = await _http.GetAsync(S3RawRequest.Presign(new Uri(silo.BaseUri, $"{bucket}/k"), "GET", signedLongAgo, expiresSeconds: 60));
        var put = await _http.PutAsync(S3RawRequest.Presign(new Uri(silo.BaseUri, $"{bucket}/new"), "PUT", signedLongAgo, expiresSeconds: 60), new ByteArrayContent([5]));
        var stillValid = await _http.GetAsync(S3RawRequest.Presign(new Uri(silo.BaseUri, $"{bucket}/k"), "GET", signedLongAgo, expiresSeconds: 3600));

        get.StatusCode.Should().Be(HttpStatusCode.Forbidden);
        var error = await ErrorOfAsync(get);
        error.Code.Should().Be("AccessDenied");
        error.Message.Should().Be("Request has expired");
        (await ErrorOfAsync(put)).Code.Should().Be("AccessDenied");
        (await ExistsAsync(s3, bucket, "new")).Should().BeFalse();
        stillValid.StatusCode.Should().Be(HttpStatusCode.OK);
    }

    [Fact]
    public async Task Errors_CarryTheRequestIdOfTheirResponse_AndTheResource()
    {
        using var s3 = silo.Alices3();
        var bucket = await CreateBucketAsync(s3);

        var response = await _http.SendAsync(new S3RawRequest { Method = HttpMethod.Get, Uri = new Uri(silo.BaseUri, $"{bucket}/no/such%20key") }.Build());
        var text = await response.Content.ReadAsStringAsync();
        var error = await ErrorOfAsync(response);

        response.StatusCode.Should().Be(HttpStatusCode.NotFound);
        response.Content.Headers.ContentType!.MediaType.Should().Be("application/xml");
        error.Code.Should().Be("NoSuchKey");
        error.RequestId.Should().Be(response.Headers.GetValues("x-amz-request-id").Single());
        response.Headers.GetValues("x-amz-id-2").Single().Should().NotBeNullOrEmpty();
        text.Should().Contain($"<Resource>/{bucket}/no/such%20key</Resource>").And.Contain("<Key>no/such key</Key>");
    }

    [Theory]
    [InlineData("PUT", "?acl", "PutBucketAcl")]
    [InlineData("PUT", "?versioning", "PutBucketVersioning")]
    [InlineData("GET", "?inventory", "GetBucketInventoryConfiguration")]
    [InlineData("DELETE", "?policy", "DeleteBucketPolicy")]
    [InlineData("PUT", "/k?retention", "PutObjectRetention")]
    [InlineData("GET", "?analytics", "GetBucketAnalyticsConfiguration")]
    [InlineData("POST", "/k?restore", "RestoreObject")]
    public async Task OperationNotImplemented_AnswersNotImplementedNamingIt(string method, string target, string operation)
    {
        using var s3 = silo.Alices3();
        var bucket = await CreateBucketAsync(s3);

        var response = await _http.SendAsync(new S3RawRequest { Method = new HttpMethod(method), Uri = new Uri(silo.BaseUri, bucket + target) }.Build());
        var error = await ErrorOfAsync(response);

        response.StatusCode.Should().Be(HttpStatusCode.NotImplemented);
        error.Code.Should().Be("NotImplemented");
        error.Message.Should().Contain(operation);
    }

    [Fact]
    public async Task MethodS3DoesNotAllow_AnswersMethodNotAllowed()
    {
        using var s3 = silo.Alices3();
        var bucket = await CreateBucketAsync(s3);

        var response = await _http.SendAsync(new S3RawRequest { Method = HttpMethod.Patch, Uri = new Uri(silo.BaseUri, $"{bucket}/k") }.Build());

        response.StatusCode.Should().Be(HttpStatusCode.MethodNotAllowed);
        (await ErrorOfAsync(response)).Code.Should().Be("MethodNotAllowed");
    }
}
