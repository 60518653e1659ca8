using System.Net;
using System.Xml.Linq;
using Amazon.EC2;
using Amazon.EC2.Model;
using OrleansEc2.Api.Tests.Infrastructure;

namespace OrleansEc2.Api.Tests.Protocol;

/// <summary>Requests the signature check refuses, each with the error AWS gives, and nothing changed afterwards.</summary>
[Collection(ApiSiloCollection.Name)]
public sealed class AuthenticationTests(ApiSiloFixture silo)
{
    [Fact]
    public async Task WrongSecret_FailsWithSignatureDoesNotMatch()
    {
        using var ec2 = silo.Ec2(ApiSiloFixture.AliceKey, "not-the-secret");

        var act = () => ec2.DescribeRegionsAsync(new DescribeRegionsRequest());

        var error = (await act.Should().ThrowAsync<AmazonEC2Exception>()).Which;
        error.ErrorCode.Should().Be("SignatureDoesNotMatch");
        error.StatusCode.Should().Be(HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task UnknownAccessKey_FailsWithAuthFailure()
    {
        using var ec2 = silo.Ec2("AKIANOBODYEXAMPLE000", "whatever");

        var act = () => ec2.DescribeRegionsAsync(new DescribeRegionsRequest());

        var error = (await act.Should().ThrowAsync<AmazonEC2Exception>()).Which;
        error.ErrorCode.Should().Be("AuthFailure");
        error.StatusCode.Should().Be(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task UnconfiguredRegionScope_FailsWithAuthFailure()
    {
        using var ec2 = silo.Ec2(region: "mars-north-1");

        var act = () => ec2.DescribeRegionsAsync(new DescribeRegionsRequest());

        var error = (await act.Should().ThrowAsync<AmazonEC2Exception>()).Which;
        error.ErrorCode.Should().Be("AuthFailure");
        error.Message.Should().StartWith("Credential should be scoped to a valid region");
    }

    [Fact]
    public async Task WrongSecretOnRunInstances_LaunchesNothing()
    {
        using var alice = silo.Alices();
        var marker = Ec2Scenario.UniqueName("auth");
        var imageId = await Ec2Scenario.ImageIdAsync(alice);
        using var forged = silo.Ec2(ApiSiloFixture.AliceKey, "forged");

        var act = () => forged.RunInstancesAsync(new Amazon.EC2.Model.RunInstancesRequest
        {
            ImageId = imageId,
            MinCount = 1,
            MaxCount = 1,
            TagSpecifications = [new TagSpecification { ResourceType = ResourceType.Instance, Tags = [new Amazon.EC2.Model.Tag("Marker", marker)] }],
        });

        (await act.Should().ThrowAsync<AmazonEC2Exception>()).Which.ErrorCode.Should().Be("SignatureDoesNotMatch");
        await ExpectNoInstancesTaggedAsync(alice, marker);
    }

    [Fact]
    public async Task TamperedBody_FailsWithSignatureDoesNotMatchAndChangesNothing()
    {
        using var alice = silo.Alices();
        var id = (await Ec2Scenario.RunAsync(alice)).Single().InstanceId;
        var request = RequestSigner.Ec2Post(silo.BaseUri, RequestSigner.Form(("Action", "DescribeInstances"), ("Version", "2016-11-15"), ("InstanceId.1", id)), ApiSiloFixture.AliceKey, ApiSiloFixture.AliceSecret);
        var tampered = RequestSigner.Form(("Action", "TerminateInstances"), ("Version", "2016-11-15"), ("InstanceId.1", id));
        request.Content = new ByteArrayContent(System.Text.Encoding.UTF8.GetBytes(tampered));
        request.Content.Headers.ContentType = System.Net.Http.Headers.MediaTypeHeaderValue.Parse("application/x-www-form-urlencoded; charset=utf-8");

        var (status, code) = await SendAsync(request);

        status.Should().Be(HttpStatusCode.Forbidden);
        code.Should().Be("SignatureDoesNotMatch");
        (await Ec2Scenario.DescribeAsync(alice, id)).State.Name.Value.Should().Be("running");
    }

    [Theory]
    [InlineData(-20)]
    [InlineData(20)]
    public async Task ReplayOutsideTheAllowedSkew_FailsWithRequestExpiredAndChangesNothing(int minutes)
    {
        using var alice = silo.Alices();
        var id = (await Ec2Scenario.RunAsync(alice)).Single().InstanceId;
        var body = RequestSigner.Form(("Action", "StopInstances"), ("Version", "2016-11-15"), ("InstanceId.1", id));
        var request = RequestSigner.Ec2Post(silo.BaseUri, body, ApiSiloFixture.AliceKey, ApiSiloFixture.AliceSecret, DateTimeOffset.UtcNow.AddMinutes(minutes));

        var (status, code) = await SendAsync(request);

        status.Should().Be(HttpStatusCode.BadRequest);
        code.Should().Be("RequestExpired");
        (await Ec2Scenario.DescribeAsync(alice, id)).State.Name.Value.Should().Be("running");
    }

    [Fact]
    public async Task SameSignedRequestWithinTheSkew_IsAcceptedAgain()
    {
        var body = RequestSigner.Form(("Action", "DescribeRegions"), ("Version", "2016-11-15"));
        var time = DateTimeOffset.UtcNow.AddMinutes(-5);

        var first = await SendAsync(RequestSigner.Ec2Post(silo.BaseUri, body, ApiSiloFixture.AliceKey, ApiSiloFixture.AliceSecret, time));
        var second = await SendAsync(RequestSigner.Ec2Post(silo.BaseUri, body, ApiSiloFixture.AliceKey, ApiSiloFixture.AliceSecret, time));

        first.Status.Should().Be(HttpStatusCode.OK);
        second.Status.Should().Be(HttpStatusCode.OK);
    }

    [Fact]
    public async Task Unsigned_Ec2LookingRequest_FailsWithEc2sAuthFailure()
    {
        var request = new HttpRequestMessage(HttpMethod.Post, silo.BaseUri)
        {
            Content = new StringContent("Action=DescribeRegions&Version=2016-11-15", null, "application/x-www-form-urlencoded"),
        };

        var (status, code) = await SendAsync(request);

        status.Should().Be(HttpStatusCode.Unauthorized);
        code.Should().Be("AuthFailure");
    }

    [Fact]
    public async Task Unsigned_GetWithAction_FailsWithEc2sAuthFailure()
    {
        var (status, code) = await SendAsync(new HttpRequestMessage(HttpMethod.Get, new Uri(silo.BaseUri, "?Action=DescribeRegions&Version=2016-11-15")));

        status.Should().Be(HttpStatusCode.Unauthorized);
        code.Should().Be("AuthFailure");
    }

    [Fact]
    public async Task MalformedAuthorization_FailsWithIncompleteSignature()
    {
        var request = new HttpRequestMessage(HttpMethod.Post, silo.BaseUri)
        {
            Content = new StringContent("Action=DescribeRegions&Version=2016-11-15", null, "application/x-www-form-urlencoded"),
        };
        request.Headers.TryAddWithoutValidation("Authorization", "AWS4-HMAC-SHA256 Credential=garbage");
        request.Headers.TryAddWithoutValidation("X-Amz-Date", "20260101T000000Z");

        var (status, code) = await SendAsync(request);

        status.Should().Be(HttpStatusCode.BadRequest);
        code.Should().Be("IncompleteSignature");
    }

    [Fact]
    public async Task Unsigned_OtherRequest_FailsWithS3sAccessDenied()
    {
        var response = await silo.Http.GetAsync(new Uri(silo.BaseUri, "some-bucket/some-key"));
        var document = XElement.Parse(await response.Content.ReadAsStringAsync());

        response.StatusCode.Should().Be(HttpStatusCode.Forbidden);
        document.Name.LocalName.Should().Be("Error");
        document.Element("Code")!.Value.Should().Be("AccessDenied");
    }

    [Fact]
    public async Task SignedForS3_GoesToTheS3Handler()
    {
        var request = RequestSigner.Signed(HttpMethod.Get, new Uri(silo.BaseUri, "some-bucket"), [], ApiSiloFixture.AliceKey, ApiSiloFixture.AliceSecret, service: "s3");

        var response = await silo.Http.SendAsync(request);
        var document = XElement.Parse(await response.Content.ReadAsStringAsync());

        document.Name.LocalName.Should().Be("Error");
        ((int)response.StatusCode).Should().BeInRange(200, 501);
    }

    [Fact]
    public async Task SignedForAnotherService_FailsWithAuthFailure()
    {
        var body = RequestSigner.Form(("Action", "DescribeRegions"), ("Version", "2016-11-15"));

        var (status, code) = await SendAsync(RequestSigner.Ec2Post(silo.BaseUri, body, ApiSiloFixture.AliceKey, ApiSiloFixture.AliceSecret, service: "iam"));

        status.Should().Be(HttpStatusCode.Unauthorized);
        code.Should().Be("AuthFailure");
    }

    private async Task<(HttpStatusCode Status, string? Code)> SendAsync(HttpRequestMessage request)
    {
        var response = await silo.Http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        var document = XElement.Parse(text);
        return (response.StatusCode, document.Name.LocalName == "Response" ? document.Element("Errors")!.Element("Error")!.Element("Code")!.Value : null);
    }

    private static async Task ExpectNoInstancesTaggedAsync(AmazonEC2Client ec2, string marker)
    {
        var response = await ec2.DescribeInstancesAsync(new DescribeInstancesRequest { Filters = [new Filter("tag:Marker", [marker])] });
        (response.Reservations ?? []).Should().BeEmpty();
    }
}
