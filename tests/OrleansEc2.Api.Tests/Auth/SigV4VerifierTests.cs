using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Time.Testing;
using OrleansEc2.Api.Auth;

namespace OrleansEc2.Api.Tests.Auth;

/// <summary>The verifier against the worked examples AWS publishes for Signature Version 4.</summary>
public sealed class SigV4VerifierTests
{
    private const string ExampleS3Secret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";

    [Fact]
    public async Task Verify_IamListUsersExample_Accepts()
    {
        // docs.aws.amazon.com "Create a signed AWS API request" worked example.
        var request = Request("GET", "/?Action=ListUsers&Version=2010-05-08", "iam.amazonaws.com", new()
        {
            ["Content-Type"] = "application/x-www-form-urlencoded; charset=utf-8",
            ["X-Amz-Date"] = "20150830T123600Z",
            ["Authorization"] = "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/iam/aws4_request, SignedHeaders=content-type;host;x-amz-date, Signature=5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7",
        });
        var verifier = Verifier("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", new DateTimeOffset(2015, 8, 30, 12, 36, 0, TimeSpan.Zero));

        var signature = SigV4Verifier.Parse(request)!;
        var verified = await verifier.VerifyAsync(request, signature, SigV4.EmptyPayloadHash);

        verified.Key.AccountId.Should().Be("123456789012");
        verified.Signature.Scope.Should().Be(new SigV4Scope("20150830", "us-east-1", "iam"));
    }

    [Fact]
    public async Task Verify_S3GetObjectExample_Accepts()
    {
        // S3 API reference "Signature calculations for the Authorization header: single chunk", GET Object example.
        var request = Request("GET", "/test.txt", "examplebucket.s3.amazonaws.com", new()
        {
            ["Range"] = "bytes=0-9",
            ["x-amz-content-sha256"] = SigV4.EmptyPayloadHash,
            ["x-amz-date"] = "20130524T000000Z",
            ["Authorization"] = "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request,SignedHeaders=host;range;x-amz-content-sha256;x-amz-date,Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41",
        });
        var verifier = Verifier("AKIAIOSFODNN7EXAMPLE", ExampleS3Secret, new DateTimeOffset(2013, 5, 24, 0, 5, 0, TimeSpan.Zero));

        var verified = await verifier.VerifyAsync(request, SigV4Verifier.Parse(request)!, SigV4.EmptyPayloadHash);

        verified.Signature.IsPresigned.Should().BeFalse();
    }

    [Fact]
    public async Task Verify_S3PresignedExample_AcceptsWithinExpiryAndRefusesAfter()
    {
        // S3 API reference "Authenticating requests: using query parameters" example (expires after 86400 s).
        const string target = "/test.txt?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20130524%2Fus-east-1%2Fs3%2Faws4_request&X-Amz-Date=20130524T000000Z&X-Amz-Expires=86400&X-Amz-SignedHeaders=host&X-Amz-Signature=aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404";
        var time = new FakeTimeProvider(new DateTimeOffset(2013, 5, 24, 10, 0, 0, TimeSpan.Zero));
        var verifier = new SigV4Verifier(new Keys("AKIAIOSFODNN7EXAMPLE", ExampleS3Secret), time);

        var request = Request("GET", target, "examplebucket.s3.amazonaws.com", new());
        var verified = await verifier.VerifyAsync(request, SigV4Verifier.Parse(request)!, SigV4.UnsignedPayload);
        verified.Signature.IsPresigned.Should().BeTrue();

        time.Advance(TimeSpan.FromDays(1));
        var expired = () => verifier.VerifyAsync(request, SigV4Verifier.Parse(request)!, SigV4.UnsignedPayload);
        (await expired.Should().ThrowAsync<SigV4Exception>()).Which.Failure.Should().Be(SigV4Failure.Expired);
    }

    [Fact]
    public void ChunkSignatures_S3MultipleChunksExample_ChainFromTheSeed()
    {
        // S3 API reference "Signature calculations: transferring payload in multiple chunks" example.
        var key = SigV4.SigningKey(ExampleS3Secret, "20130524", "us-east-1", "s3");
        const string scope = "20130524/us-east-1/s3/aws4_request";
        var first = SigV4.Sign(key, SigV4.ChunkStringToSign("20130524T000000Z", scope, "4f232c4386841ef735655705268965c44a0e4690baa4adea153f7db9fa80a0a9", SigV4.HexSha256(Enumerable.Repeat((byte)'a', 65536).ToArray())));
        var second = SigV4.Sign(key, SigV4.ChunkStringToSign("20130524T000000Z", scope, first, SigV4.HexSha256(Enumerable.Repeat((byte)'a', 1024).ToArray())));
        var last = SigV4.Sign(key, SigV4.ChunkStringToSign("20130524T000000Z", scope, second, SigV4.EmptyPayloadHash));

        first.Should().Be("ad80c730a21e5b8d04586a2213dd63b9a0e99e0e2307b0ade35a65485a288648");
        second.Should().Be("0055627c9e194cb4542bae2aa5492e3c1575bbb81b612b7d234b86a503ef5497");
        last.Should().Be("b6c6ea8a5354eaf15b3cb7646744f4275b71ea724fed81ceb9323e279d449df9");
    }

    [Fact]
    public async Task Verify_WrongSecret_FailsWithSignatureMismatch()
    {
        var request = IamExample();
        var verifier = Verifier("AKIDEXAMPLE", "not-the-secret", new DateTimeOffset(2015, 8, 30, 12, 36, 0, TimeSpan.Zero));

        var act = () => verifier.VerifyAsync(request, SigV4Verifier.Parse(request)!, SigV4.EmptyPayloadHash);

        (await act.Should().ThrowAsync<SigV4Exception>()).Which.Failure.Should().Be(SigV4Failure.SignatureMismatch);
    }

    [Fact]
    public async Task Verify_TamperedQuery_FailsWithSignatureMismatch()
    {
        var request = IamExample("/?Action=ListUsers&Version=2010-05-09");
        var verifier = Verifier("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", new DateTimeOffset(2015, 8, 30, 12, 36, 0, TimeSpan.Zero));

        var act = () => verifier.VerifyAsync(request, SigV4Verifier.Parse(request)!, SigV4.EmptyPayloadHash);

        (await act.Should().ThrowAsync<SigV4Exception>()).Which.Failure.Should().Be(SigV4Failure.SignatureMismatch);
    }

    [Fact]
    public async Task Verify_UnknownAccessKey_FailsWithUnknownAccessKey()
    {
        var request = IamExample();
        var verifier = Verifier("AKIDOTHER", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", new DateTimeOffset(2015, 8, 30, 12, 36, 0, TimeSpan.Zero));

        var act = () => verifier.VerifyAsync(request, SigV4Verifier.Parse(request)!, SigV4.EmptyPayloadHash);

        (await act.Should().ThrowAsync<SigV4Exception>()).Which.Failure.Should().Be(SigV4Failure.UnknownAccessKey);
    }

    [Theory]
    [InlineData(-16)]
    [InlineData(16)]
    public async Task Verify_OutsideTheAllowedSkew_FailsWithClockSkew(int minutes)
    {
        var request = IamExample();
        var verifier = Verifier("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", new DateTimeOffset(2015, 8, 30, 12, 36, 0, TimeSpan.Zero).AddMinutes(minutes));

        var act = () => verifier.VerifyAsync(request, SigV4Verifier.Parse(request)!, SigV4.EmptyPayloadHash);

        (await act.Should().ThrowAsync<SigV4Exception>()).Which.Failure.Should().Be(SigV4Failure.ClockSkew);
    }

    [Theory]
    [InlineData("AWS AKIDEXAMPLE:abc")]
    [InlineData("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/iam/aws4_request, SignedHeaders=host;x-amz-date")]
    [InlineData("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/aws4_request, SignedHeaders=host, Signature=5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7")]
    [InlineData("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150831/us-east-1/iam/aws4_request, SignedHeaders=host, Signature=5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7")]
    [InlineData("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/iam/aws4_request, SignedHeaders=x-amz-date, Signature=5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7")]
    [InlineData("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/iam/aws4_request, SignedHeaders=host, Signature=zz")]
    public void Parse_MalformedAuthorization_FailsWithMalformed(string authorization)
    {
        var request = Request("GET", "/", "iam.amazonaws.com", new() { ["X-Amz-Date"] = "20150830T123600Z", ["Authorization"] = authorization });

        var act = () => SigV4Verifier.Parse(request);

        act.Should().Throw<SigV4Exception>().Which.Failure.Should().Be(SigV4Failure.Malformed);
    }

    [Fact]
    public void Parse_NoSignature_ReturnsNull()
    {
        SigV4Verifier.Parse(Request("GET", "/bucket/key", "localhost", new())).Should().BeNull();
    }

    [Theory]
    [InlineData("/", false, "/")]
    [InlineData("/a b/c", true, "/a%20b/c")]
    [InlineData("/bucket/k%C3%A9y%2Bplus", true, "/bucket/k%C3%A9y%2Bplus")]
    [InlineData("/documents and settings/", false, "/documents%2520and%2520settings/")]
    [InlineData("/example/../a//b/./c", false, "/a/b/c")]
    public void CanonicalUri_FollowsEachServicesRules(string rawPath, bool isS3, string expected)
    {
        SigV4.CanonicalUri(rawPath, isS3).Should().Be(expected);
    }

    [Fact]
    public void CanonicalQueryString_SortsAndEncodes()
    {
        var query = SigV4.ParseQuery("prefix=a%2Fb&list-type=2&delimiter=%2F&empty&x=%E2%82%AC");

        SigV4.CanonicalQueryString(query).Should().Be("delimiter=%2F&empty=&list-type=2&prefix=a%2Fb&x=%E2%82%AC");
    }

    private static HttpRequest IamExample(string target = "/?Action=ListUsers&Version=2010-05-08")
    {
        return Request("GET", target, "iam.amazonaws.com", new()
        {
            ["Content-Type"] = "application/x-www-form-urlencoded; charset=utf-8",
            ["X-Amz-Date"] = "20150830T123600Z",
            ["Authorization"] = "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/iam/aws4_request, SignedHeaders=content-type;host;x-amz-date, Signature=5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7",
        });
    }

    private static HttpRequest Request(string method, string rawTarget, string host, Dictionary<string, string> headers)
    {
        var context = new DefaultHttpContext();
        var q = rawTarget.IndexOf('?');
        context.Request.Method = method;
        context.Request.Path = PathString.FromUriComponent(q < 0 ? rawTarget : rawTarget[..q]);
        context.Request.QueryString = q < 0 ? QueryString.Empty : QueryString.FromUriComponent(rawTarget[q..]);
        context.Request.Host = new HostString(host);
        context.Request.Headers.Host = host;
        foreach (var (name, value) in headers)
        {
            context.Request.Headers[name] = value;
        }

        context.Features.Get<IHttpRequestFeature>()!.RawTarget = rawTarget;
        context.Request.Body = new MemoryStream(Encoding.UTF8.GetBytes(""));
        return context.Request;
    }

    private static SigV4Verifier Verifier(string accessKeyId, string secret, DateTimeOffset now)
        => new(new Keys(accessKeyId, secret), new FakeTimeProvider(now));

    private sealed class Keys(string accessKeyId, string secret) : IAccessKeySource
    {
        public ValueTask<AccessKey?> FindAsync(string id)
            => ValueTask.FromResult(id == accessKeyId ? new AccessKey(id, "123456789012", secret) : null);
    }
}
