using System.Diagnostics;
using System.Net;
using System.Text;
using System.Text.Json;
using OrleansEc2.Api.Tests.Infrastructure;

namespace OrleansEc2.Api.Tests.Migrations;

/// <summary><c>/_sim/migrations</c>: ec2-migrate-image over HTTP, SigV4-signed as the account, JSON in and out.</summary>
[Collection(ApiSiloCollection.Name)]
public sealed class MigrationEndpointTests(ApiSiloFixture silo)
{
    private const string Alice = ApiSiloFixture.Alice;

    [Fact]
    public async Task Post_WithTheSigningCredentialsFromSim_Answers202_ThenGetShowsItComplete_AndTheBundleUnbundlesInEuWest1()
    {
        var bundle = await ApiBundles.UploadAsync(silo, ApiSiloFixture.UsEast1, seed: 71);
        var credentials = JsonDocument.Parse(await (await SendAsync(HttpMethod.Get, "_sim/account/signing-credentials")).Content.ReadAsStringAsync()).RootElement;
        var destination = Ec2Scenario.UniqueName("eu-bundles");

        var started = await PostAsync(new
        {
            cert = credentials.GetProperty("certificate").GetString(),
            privateKey = credentials.GetProperty("privateKey").GetString(),
            sourceBucket = bundle.Bucket,
            manifest = bundle.ManifestKey,
            destinationBucket = destination,
            location = "EU",
        });

        started.StatusCode.Should().Be(HttpStatusCode.Accepted);
        var body = JsonDocument.Parse(await started.Content.ReadAsStringAsync()).RootElement;
        var id = body.GetProperty("migrationId").GetString()!;
        Ec2Ids.IsMigrationId(id).Should().BeTrue();
        started.Headers.Location!.ToString().Should().Be("/_sim/migrations/" + id);
        body.GetProperty("state").GetString().Should().Be("pending");
        body.GetProperty("partCount").GetInt32().Should().Be(bundle.Bundle.Parts.Count);
        body.GetProperty("sourceRegion").GetString().Should().Be("us-east-1");
        body.GetProperty("destinationRegion").GetString().Should().Be("eu-west-1");
        body.GetProperty("destinationManifestLocation").GetString().Should().Be($"{destination}/{bundle.ManifestKey}");
        body.GetProperty("error").ValueKind.Should().Be(JsonValueKind.Null);

        var finished = await UntilFinishedAsync(id);
        finished.GetProperty("state").GetString().Should().Be("complete");
        finished.GetProperty("progress").GetString().Should().Be("complete");
        finished.GetProperty("partsCopied").GetInt32().Should().Be(bundle.Bundle.Parts.Count);
        using var s3 = silo.S3(region: "eu-west-1");
        (await s3.GetBucketLocationAsync(destination)).Location.Value.Should().Be("eu-west-1");
        (await ApiBundles.UnbundleInRegionAsync(silo, destination, bundle.ManifestKey, "eu-west-1")).Should().Equal(bundle.Disk);
    }

    [Fact]
    public async Task Post_Refusals_AnswerJsonErrorsWithTheirCodes()
    {
        var bundle = await ApiBundles.UploadAsync(silo, ApiSiloFixture.UsEast1, seed: 72, partSize: 512 * 1024);
        var alices = await silo.Grains.GetGrain<IAccountGrain>(Alice).GetSigningCredentialsAsync();
        var bobs = await silo.Grains.GetGrain<IAccountGrain>(ApiSiloFixture.Bob).GetSigningCredentialsAsync();
        var bobsBucket = Ec2Scenario.UniqueName("bobs");
        await silo.Grains.GetGrain<IBucketGrain>(bobsBucket).CreateAsync(ApiSiloFixture.Bob, "eu-west-1");
        object Request(string? privateKey = null, string? manifest = null, string? destination = null, string location = "EU") => new
        {
            cert = alices.CertificatePem,
            privateKey = privateKey ?? alices.PrivateKeyPem,
            sourceBucket = bundle.Bucket,
            manifest = manifest ?? bundle.ManifestKey,
            destinationBucket = destination ?? Ec2Scenario.UniqueName("eu-bundles"),
            location,
        };

        await ExpectErrorAsync(await PostAsync(Request(privateKey: bobs.PrivateKeyPem)), HttpStatusCode.BadRequest, Ec2ErrorCodes.InvalidParameterCombination);
        await ExpectErrorAsync(await PostAsync(Request(location: "MARS")), HttpStatusCode.BadRequest, Ec2ErrorCodes.InvalidLocationConstraint);
        await ExpectErrorAsync(await PostAsync(Request(manifest: "missing.manifest.xml")), HttpStatusCode.BadRequest, Ec2ErrorCodes.NoSuchKey);
        await ExpectErrorAsync(await PostAsync(Request(destination: bobsBucket)), HttpStatusCode.BadRequest, Ec2ErrorCodes.BucketAlreadyExists);
    }

    [Theory]
    [InlineData("{not json", "InvalidRequest")]
    [InlineData("[1, 2]", "InvalidRequest")]
    [InlineData("{\"sourceBucket\": 7}", "InvalidParameterValue")]
    [InlineData("{\"bucket\": \"b\"}", "UnknownParameter")]
    [InlineData("{}", "MissingParameter")]
    public async Task Post_ABodyThatIsNotAMigration_Is400WithItsCode(string body, string code)
    {
        var response = await SendAsync(HttpMethod.Post, "_sim/migrations", Encoding.UTF8.GetBytes(body));

        await ExpectErrorAsync(response, HttpStatusCode.BadRequest, code);
    }

    [Fact]
    public async Task Get_AnotherAccountsMigration_Is404_AMalformedId400_AndDelete405()
    {
        var bundle = await ApiBundles.UploadAsync(silo, ApiSiloFixture.UsEast1, seed: 73, partSize: 512 * 1024);
        var credentials = await silo.Grains.GetGrain<IAccountGrain>(Alice).GetSigningCredentialsAsync();
        var started = JsonDocument.Parse(await (await PostAsync(new
        {
            cert = credentials.CertificatePem,
            privateKey = credentials.PrivateKeyPem,
            sourceBucket = bundle.Bucket,
            manifest = bundle.ManifestKey,
            destinationBucket = Ec2Scenario.UniqueName("eu-bundles"),
            location = "eu-west-1",
        })).Content.ReadAsStringAsync()).RootElement;
        var id = started.GetProperty("migrationId").GetString()!;

        var byBob = await SendAsync(HttpMethod.Get, "_sim/migrations/" + id, accessKeyId: ApiSiloFixture.BobKey, secret: ApiSiloFixture.BobSecret);
        var malformed = await SendAsync(HttpMethod.Get, "_sim/migrations/mig-nothex!");
        var delete = await SendAsync(HttpMethod.Delete, "_sim/migrations/" + id);

        await ExpectErrorAsync(byBob, HttpStatusCode.NotFound, MigrationErrorCodes.InvalidMigrationIdNotFound);
        await ExpectErrorAsync(malformed, HttpStatusCode.BadRequest, MigrationErrorCodes.InvalidMigrationIdMalformed);
        await ExpectErrorAsync(delete, HttpStatusCode.MethodNotAllowed, SimEndpointCodes.MethodNotAllowed);
        (await UntilFinishedAsync(id)).GetProperty("state").GetString().Should().Be("complete");
    }

    private async Task<JsonElement> UntilFinishedAsync(string id)
    {
        var watch = Stopwatch.StartNew();
        while (true)
        {
            var response = await SendAsync(HttpMethod.Get, "_sim/migrations/" + id);
            response.StatusCode.Should().Be(HttpStatusCode.OK);
            var described = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
            if (described.GetProperty("state").GetString() is "complete" or "failed")
            {
                return described;
            }

            watch.Elapsed.Should().BeLessThan(TimeSpan.FromSeconds(30), $"migration {id} should finish, but it is {described.GetProperty("progress").GetString()}");
            await Task.Delay(10);
        }
    }

    private static async Task ExpectErrorAsync(HttpResponseMessage response, HttpStatusCode status, string code)
    {
        var text = await response.Content.ReadAsStringAsync();
        response.StatusCode.Should().Be(status, text);
        var error = JsonDocument.Parse(text).RootElement;
        error.GetProperty("code").GetString().Should().Be(code);
        error.GetProperty("message").GetString().Should().NotBeNullOrWhiteSpace();
    }

    private Task<HttpResponseMessage> PostAsync(object request)
        => SendAsync(HttpMethod.Post, "_sim/migrations", JsonSerializer.SerializeToUtf8Bytes(request));

    private Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, byte[]? body = null, string accessKeyId = ApiSiloFixture.AliceKey, string secret = ApiSiloFixture.AliceSecret)
        => silo.Http.SendAsync(RequestSigner.Signed(method, new Uri(silo.BaseUri, path), body ?? [], accessKeyId, secret));

    private static class SimEndpointCodes
    {
        public const string MethodNotAllowed = "MethodNotAllowed";
    }
}
