using System.Net;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using OrleansEc2.Api.Tests.Infrastructure;

namespace OrleansEc2.Api.Tests.Protocol;

/// <summary><c>/_sim/</c>: guest actions, signing credentials and the clock, SigV4-signed as the account.</summary>
[Collection(ApiSiloCollection.Name)]
public sealed class SimEndpointTests(ApiSiloFixture silo)
{
    [Fact]
    public async Task GuestFiles_WriteReadListDelete_RoundTrip()
    {
        using var ec2 = silo.Alices();
        var id = (await Ec2Scenario.RunAsync(ec2)).Single().InstanceId;
        var path = Uri.EscapeDataString(@"C:\Documents and Settings\Administrator\notes.txt");

        var write = await SendAsync(HttpMethod.Put, $"_sim/instances/{id}/file?path={path}", Encoding.UTF8.GetBytes("hello bundle"));
        var read = await SendAsync(HttpMethod.Get, $"_sim/instances/{id}/file?path={path}");
        var list = await SendAsync(HttpMethod.Get, $"_sim/instances/{id}/files");
        var delete = await SendAsync(HttpMethod.Delete, $"_sim/instances/{id}/file?path={path}");
        var readAgain = await SendAsync(HttpMethod.Get, $"_sim/instances/{id}/file?path={path}");

        write.StatusCode.Should().Be(HttpStatusCode.OK);
        (await read.Content.ReadAsStringAsync()).Should().Be("hello bundle");
        var files = JsonDocument.Parse(await list.Content.ReadAsStringAsync()).RootElement.GetProperty("files");
        files.EnumerateArray().Should().Contain(f => f.GetProperty("path").GetString()!.EndsWith("notes.txt", StringComparison.OrdinalIgnoreCase) && f.GetProperty("length").GetInt64() == 12);
        delete.StatusCode.Should().Be(HttpStatusCode.OK);
        readAgain.StatusCode.Should().Be(HttpStatusCode.NotFound);
        JsonDocument.Parse(await readAgain.Content.ReadAsStringAsync()).RootElement.GetProperty("code").GetString().Should().NotBeNullOrEmpty();
    }

    [Fact]
    public async Task GuestMaintenance_CleanupDefragmentZeroAndPassword_Succeed()
    {
        using var ec2 = silo.Alices();
        var id = (await Ec2Scenario.RunAsync(ec2)).Single().InstanceId;

        var cleanup = await SendAsync(HttpMethod.Post, $"_sim/instances/{id}/disk-cleanup");
        var defragment = await SendAsync(HttpMethod.Post, $"_sim/instances/{id}/defragment");
        var zero = await SendAsync(HttpMethod.Post, $"_sim/instances/{id}/zero-free-space");
        var password = await SendAsync(HttpMethod.Put, $"_sim/instances/{id}/administrator-password", Encoding.UTF8.GetBytes("S3cret!Pass"));

        cleanup.StatusCode.Should().Be(HttpStatusCode.OK);
        JsonDocument.Parse(await cleanup.Content.ReadAsStringAsync()).RootElement.GetProperty("removedFiles").GetInt32().Should().BeGreaterThanOrEqualTo(0);
        defragment.StatusCode.Should().Be(HttpStatusCode.OK);
        zero.StatusCode.Should().Be(HttpStatusCode.OK);
        password.StatusCode.Should().Be(HttpStatusCode.OK);
    }

    [Fact]
    public async Task GuestAction_OnAnotherAccountsInstance_IsNotFound()
    {
        using var ec2 = silo.Alices();
        var id = (await Ec2Scenario.RunAsync(ec2)).Single().InstanceId;

        var response = await SendAsync(HttpMethod.Get, $"_sim/instances/{id}/files", accessKeyId: ApiSiloFixture.BobKey, secret: ApiSiloFixture.BobSecret);

        response.StatusCode.Should().Be(HttpStatusCode.NotFound);
        JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("code").GetString().Should().Be("InvalidInstanceID.NotFound");
    }

    [Fact]
    public async Task SigningCredentials_AreTheAccountsCertificateAndKey()
    {
        var certificate = await SendAsync(HttpMethod.Get, "_sim/account/signing-certificate");
        var key = await SendAsync(HttpMethod.Get, "_sim/account/signing-key");

        var pem = await certificate.Content.ReadAsStringAsync();
        var keyPem = await key.Content.ReadAsStringAsync();
        using var cert = X509Certificate2.CreateFromPem(pem, keyPem);
        cert.HasPrivateKey.Should().BeTrue();
    }

    [Fact]
    public async Task RegionEc2Certificate_IsTheSigningRegionsOwn()
    {
        var inUs = await silo.Http.SendAsync(RequestSigner.Signed(HttpMethod.Get, new Uri(silo.BaseUri, "_sim/region/ec2-certificate"), [], ApiSiloFixture.AliceKey, ApiSiloFixture.AliceSecret));
        var inEu = await silo.Http.SendAsync(RequestSigner.Signed(HttpMethod.Get, new Uri(silo.BaseUri, "_sim/region/ec2-certificate"), [], ApiSiloFixture.AliceKey, ApiSiloFixture.AliceSecret, region: "eu-west-1"));

        inUs.StatusCode.Should().Be(HttpStatusCode.OK);
        inUs.Content.Headers.ContentType!.MediaType.Should().Be("application/x-pem-file");
        (await inUs.Content.ReadAsStringAsync()).Should().Be(await silo.Grains.GetGrain<IRegionGrain>("us-east-1").GetEc2CertificatePemAsync());
        (await inEu.Content.ReadAsStringAsync()).Should().Be(await silo.Grains.GetGrain<IRegionGrain>("eu-west-1").GetEc2CertificatePemAsync());
    }

    [Fact]
    public async Task Clock_ReadAndAdvance_MovesTheSimulatedClock()
    {
        var before = silo.Time.GetUtcNow();

        var read = await SendAsync(HttpMethod.Get, "_sim/clock");
        var advance = await SendAsync(HttpMethod.Post, "_sim/clock/advance?seconds=0.5");
        var badAdvance = await SendAsync(HttpMethod.Post, "_sim/clock/advance?seconds=-3");

        JsonDocument.Parse(await read.Content.ReadAsStringAsync()).RootElement.GetProperty("simulated").GetBoolean().Should().BeTrue();
        advance.StatusCode.Should().Be(HttpStatusCode.OK);
        silo.Time.GetUtcNow().Should().BeOnOrAfter(before.AddSeconds(0.5));
        badAdvance.StatusCode.Should().Be(HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task Unsigned_IsRefusedWithAJsonAuthFailure()
    {
        var response = await silo.Http.GetAsync(new Uri(silo.BaseUri, "_sim/clock"));

        response.StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("code").GetString().Should().Be("AuthFailure");
    }

    [Theory]
    [InlineData("GET", "_sim/nowhere", 404)]
    [InlineData("DELETE", "_sim/clock", 405)]
    [InlineData("GET", "_sim/instances/i-nope/files", 400)]
    [InlineData("GET", "_sim/instances/i-0123456789abcdef0/file", 400)]
    public async Task BadRoutes_AnswerJsonErrors(string method, string path, int status)
    {
        var response = await SendAsync(new HttpMethod(method), path);

        ((int)response.StatusCode).Should().Be(status);
        JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("message").GetString().Should().NotBeNullOrEmpty();
    }

    private Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, byte[]? body = null, string accessKeyId = ApiSiloFixture.AliceKey, string secret = ApiSiloFixture.AliceSecret)
        => silo.Http.SendAsync(RequestSigner.Signed(method, new Uri(silo.BaseUri, path), body ?? [], accessKeyId, secret));
}
