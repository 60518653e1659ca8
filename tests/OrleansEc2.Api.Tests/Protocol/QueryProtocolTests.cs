using System.Net;
using System.Xml.Linq;
using Amazon.EC2;
using Amazon.EC2.Model;
using OrleansEc2.Api.Tests.Infrastructure;

namespace OrleansEc2.Api.Tests.Protocol;

/// <summary>The Query protocol over raw signed HTTP: request forms, response documents, protocol-level errors.</summary>
[Collection(ApiSiloCollection.Name)]
public sealed class QueryProtocolTests(ApiSiloFixture silo)
{
    private static readonly XNamespace Ec2Namespace = "http://ec2.amazonaws.com/doc/2016-11-15/";

    [Fact]
    public async Task Post_DescribeRegions_AnswersInEc2sNamespaceWithARequestId()
    {
        var response = await PostAsync(("Action", "DescribeRegions"), ("Version", "2016-11-15"));
        var document = XElement.Parse(await response.Content.ReadAsStringAsync());

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        response.Content.Headers.ContentType!.MediaType.Should().Be("text/xml");
        document.Name.Should().Be(Ec2Namespace + "DescribeRegionsResponse");
        var requestId = document.Element(Ec2Namespace + "requestId")!.Value;
        Guid.TryParse(requestId, out _).Should().BeTrue();
        response.Headers.GetValues("x-amzn-RequestId").Single().Should().Be(requestId);
        document.Element(Ec2Namespace + "regionInfo")!.Elements(Ec2Namespace + "item").Should().HaveCount(4);
    }

    [Fact]
    public async Task OlderVersion_IsAnsweredInThatVersionsNamespace()
    {
        var response = await PostAsync(("Action", "DescribeRegions"), ("Version", "2008-12-01"));
        var document = XElement.Parse(await response.Content.ReadAsStringAsync());

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        document.Name.Should().Be(XName.Get("DescribeRegionsResponse", "http://ec2.amazonaws.com/doc/2008-12-01/"));
    }

    [Fact]
    public async Task Get_WithQueryParameters_IsServedToo()
    {
        var uri = new Uri(silo.BaseUri, "?Action=DescribeAvailabilityZones&Version=2016-11-15&ZoneName.1=us-east-1a");
        var request = RequestSigner.Signed(HttpMethod.Get, uri, [], ApiSiloFixture.AliceKey, ApiSiloFixture.AliceSecret);

        var response = await silo.Http.SendAsync(request);
        var document = XElement.Parse(await response.Content.ReadAsStringAsync());

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        document.Descendants(Ec2Namespace + "zoneName").Select(z => z.Value).Should().Equal("us-east-1a");
    }

    [Fact]
    public async Task Get_PresignedQuery_IsServed()
    {
        var now = DateTimeOffset.UtcNow;
        var amzDate = OrleansEc2.Api.Auth.SigV4.FormatAmzDate(now);
        var scope = $"{amzDate[..8]}/us-east-1/ec2/aws4_request";
        var query = new List<KeyValuePair<string, string>>
        {
            new("Action", "DescribeRegions"),
            new("Version", "2016-11-15"),
            new("RegionName.1", "eu-west-1"),
            new("X-Amz-Algorithm", "AWS4-HMAC-SHA256"),
            new("X-Amz-Credential", $"{ApiSiloFixture.AliceKey}/{scope}"),
            new("X-Amz-Date", amzDate),
            new("X-Amz-Expires", "300"),
            new("X-Amz-SignedHeaders", "host"),
        };
        var canonicalQuery = OrleansEc2.Api.Auth.SigV4.CanonicalQueryString(query);
        var host = $"{silo.BaseUri.Host}:{silo.BaseUri.Port}";
        var canonical = OrleansEc2.Api.Auth.SigV4.CanonicalRequest("GET", "/", canonicalQuery, [new("host", host)], OrleansEc2.Api.Auth.SigV4.EmptyPayloadHash);
        var signature = OrleansEc2.Api.Auth.SigV4.Sign(
            OrleansEc2.Api.Auth.SigV4.SigningKey(ApiSiloFixture.AliceSecret, amzDate[..8], "us-east-1", "ec2"),
            OrleansEc2.Api.Auth.SigV4.StringToSign(amzDate, scope, canonical));

        var response = await silo.Http.GetAsync(new Uri(silo.BaseUri, "?" + canonicalQuery + "&X-Amz-Signature=" + signature));
        var document = XElement.Parse(await response.Content.ReadAsStringAsync());

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        document.Descendants(Ec2Namespace + "regionName").Select(r => r.Value).Should().Equal("eu-west-1");
    }

    [Theory]
    [InlineData("Action=LaunchRockets&Version=2016-11-15", "InvalidAction", 400)]
    [InlineData("Version=2016-11-15", "MissingParameter", 400)]
    [InlineData("Action=DescribeRegions", "MissingParameter", 400)]
    [InlineData("Action=DescribeRegions&Version=yesterday", "NoSuchVersion", 400)]
    [InlineData("Action=DescribeRegions&Version=2016-11-15&Colour=blue", "UnknownParameter", 400)]
    [InlineData("Action=DescribeRegions&Version=2016-11-15&DryRun=maybe", "InvalidParameterValue", 400)]
    [InlineData("Action=DescribeRegions&Version=2016-11-15&DryRun=true", "DryRunOperation", 412)]
    [InlineData("Action=DescribeInstances&Version=2016-11-15&InstanceId.1=i-1&InstanceId.1=i-2", "InvalidParameterValue", 400)]
    [InlineData("Action=RunInstances&Version=2016-11-15&ImageId=ami-12345678&MinCount=1&MaxCount=1&SubnetId=subnet-12345678", "UnknownParameter", 400)]
    [InlineData("Action=RunInstances&Version=2016-11-15&ImageId=ami-12345678&MinCount=1&MaxCount=1&UserData=abc", "InvalidParameterValue", 400)]
    [InlineData("Action=RunInstances&Version=2016-11-15&ImageId=ami-12345678&MinCount=1&MaxCount=1&SecurityGroupId.1=web", "InvalidGroupId.Malformed", 400)]
    [InlineData("Action=RunInstances&Version=2016-11-15&ImageId=ami-12345678&MinCount=1&MaxCount=1&InstanceInitiatedShutdownBehavior=hibernate", "InvalidParameterValue", 400)]
    [InlineData("Action=ModifyInstanceAttribute&Version=2016-11-15&InstanceId=i-0123456789abcdef0&Attribute=disableApiTermination", "MissingParameter", 400)]
    public async Task ProtocolErrors_AnswerEc2sErrorDocument(string body, string code, int status)
    {
        var response = await silo.Http.SendAsync(RequestSigner.Ec2Post(silo.BaseUri, body, ApiSiloFixture.AliceKey, ApiSiloFixture.AliceSecret));
        var document = XElement.Parse(await response.Content.ReadAsStringAsync());

        ((int)response.StatusCode).Should().Be(status);
        document.Name.LocalName.Should().Be("Response");
        document.Element("Errors")!.Element("Error")!.Element("Code")!.Value.Should().Be(code);
        document.Element("Errors")!.Element("Error")!.Element("Message")!.Value.Should().NotBeEmpty();
        document.Element("RequestID")!.Value.Should().NotBeEmpty();
    }

    [Fact]
    public async Task EveryRequest_IsLoggedOnceWithItsRequestIdActionAccountAndOutcome()
    {
        var response = await PostAsync(("Action", "DescribeInstances"), ("Version", "2016-11-15"), ("InstanceId.1", "i-0badbadbadbadbad0"));
        var requestId = XElement.Parse(await response.Content.ReadAsStringAsync()).Element("RequestID")!.Value;

        // The line is written as the answer leaves, so it may land just after the client has it.
        var deadline = DateTime.UtcNow.AddSeconds(5);
        var lines = silo.Log.Entries.Where(e => e.Message.Contains(requestId, StringComparison.Ordinal)).ToList();
        while (lines.Count == 0 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(10);
            lines = [.. silo.Log.Entries.Where(e => e.Message.Contains(requestId, StringComparison.Ordinal))];
        }

        lines.Should().ContainSingle();
        lines[0].Message.Should().Contain("DescribeInstances").And.Contain("account=" + ApiSiloFixture.Alice)
            .And.Contain("status=400").And.Contain("code=InvalidInstanceID.NotFound");
    }

    [Fact]
    public async Task BodyOverTheLimit_FailsWithAClientError()
    {
        var body = "Action=DescribeRegions&Version=2016-11-15&Filler=" + new string('x', (1 << 20) + 10);

        var response = await silo.Http.SendAsync(RequestSigner.Ec2Post(silo.BaseUri, body, ApiSiloFixture.AliceKey, ApiSiloFixture.AliceSecret));

        response.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        XElement.Parse(await response.Content.ReadAsStringAsync()).Element("Errors")!.Element("Error")!.Element("Code")!.Value.Should().Be("InvalidRequest");
    }

    [Fact]
    public async Task BodyShorterThanItsContentLength_IsAClientErrorNotAnInternalOne()
    {
        var signed = RequestSigner.Ec2Post(silo.BaseUri, "Action=DescribeRegions&Version=2016-11-15", ApiSiloFixture.AliceKey, ApiSiloFixture.AliceSecret);
        using var tcp = new System.Net.Sockets.TcpClient();
        await tcp.ConnectAsync(silo.BaseUri.Host, silo.BaseUri.Port);
        var stream = tcp.GetStream();
        var head = $"POST / HTTP/1.1\r\nHost: {silo.BaseUri.Host}:{silo.BaseUri.Port}\r\nContent-Type: application/x-www-form-urlencoded; charset=utf-8\r\n"
            + $"X-Amz-Date: {signed.Headers.GetValues("X-Amz-Date").Single()}\r\nAuthorization: {signed.Headers.GetValues("Authorization").Single()}\r\n"
            + "Content-Length: 100\r\n\r\nAction=Describe";
        await stream.WriteAsync(System.Text.Encoding.ASCII.GetBytes(head));
        tcp.Client.Shutdown(System.Net.Sockets.SocketShutdown.Send);

        using var reader = new StreamReader(stream);
        string answer;
        try
        {
            answer = await reader.ReadToEndAsync();
        }
        catch (IOException)
        {
            answer = ""; // reset rather than closed
        }

        // The client has half-closed: the server answers 400 when it still can, or just closes; either way it logs
        // the request as the client's failure, never as an internal error.
        if (answer.Length > 0)
        {
            answer.Should().StartWith("HTTP/1.1 400").And.Contain("<Code>InvalidRequest</Code>");
        }

        var deadline = DateTime.UtcNow.AddSeconds(5);
        while (!silo.Log.Entries.Any(e => e.Message.Contains("code=InvalidRequest", StringComparison.Ordinal) || e.Message.Contains("code=ClientClosedRequest", StringComparison.Ordinal))
            && DateTime.UtcNow < deadline)
        {
            await Task.Delay(10);
        }

        silo.Log.Entries.Should().Contain(e => e.Message.Contains("code=InvalidRequest", StringComparison.Ordinal) || e.Message.Contains("code=ClientClosedRequest", StringComparison.Ordinal));
        silo.Log.Errors.Should().BeEmpty();
    }

    private Task<HttpResponseMessage> PostAsync(params (string Name, string Value)[] parameters)
        => silo.Http.SendAsync(RequestSigner.Ec2Post(silo.BaseUri, RequestSigner.Form(parameters), ApiSiloFixture.AliceKey, ApiSiloFixture.AliceSecret));
}

/// <summary>DryRun: <c>DryRunOperation</c> when the request would have succeeded, the real error when not, and no change either way.</summary>
[Collection(ApiSiloCollection.Name)]
public sealed class DryRunTests(ApiSiloFixture silo)
{
    [Fact]
    public async Task DryRun_RequestsThatWouldSucceed_FailWithDryRunOperationAndChangeNothing()
    {
        using var ec2 = silo.Alices();
        var id = (await Ec2Scenario.RunAsync(ec2)).Single().InstanceId;
        var imageId = await Ec2Scenario.ImageIdAsync(ec2);
        var keyName = Ec2Scenario.UniqueName("dry");

        var calls = new Func<Task>[]
        {
            () => ec2.DescribeInstancesAsync(new DescribeInstancesRequest { DryRun = true }),
            () => ec2.DescribeImagesAsync(new DescribeImagesRequest { DryRun = true }),
            () => ec2.DescribeRegionsAsync(new DescribeRegionsRequest { DryRun = true }),
            () => ec2.DescribeAvailabilityZonesAsync(new DescribeAvailabilityZonesRequest { DryRun = true }),
            () => ec2.DescribeInstanceStatusAsync(new DescribeInstanceStatusRequest { DryRun = true }),
            () => ec2.DescribeKeyPairsAsync(new DescribeKeyPairsRequest { DryRun = true }),
            () => ec2.DescribeTagsAsync(new DescribeTagsRequest { DryRun = true }),
            () => ec2.RunInstancesAsync(new Amazon.EC2.Model.RunInstancesRequest { ImageId = imageId, MinCount = 1, MaxCount = 1, DryRun = true }),
            () => ec2.StopInstancesAsync(new StopInstancesRequest { InstanceIds = [id], DryRun = true }),
            () => ec2.RebootInstancesAsync(new RebootInstancesRequest { InstanceIds = [id], DryRun = true }),
            () => ec2.TerminateInstancesAsync(new TerminateInstancesRequest { InstanceIds = [id], DryRun = true }),
            () => ec2.GetPasswordDataAsync(new GetPasswordDataRequest { InstanceId = id, DryRun = true }),
            () => ec2.CreateKeyPairAsync(new CreateKeyPairRequest { KeyName = keyName, DryRun = true }),
            () => ec2.DeleteKeyPairAsync(new DeleteKeyPairRequest { KeyName = keyName, DryRun = true }),
            () => ec2.CreateTagsAsync(new CreateTagsRequest { Resources = [id], Tags = [new Amazon.EC2.Model.Tag("dry", "run")], DryRun = true }),
            () => ec2.DeleteTagsAsync(new DeleteTagsRequest { Resources = [id], DryRun = true }),
        };

        foreach (var call in calls)
        {
            var error = (await call.Should().ThrowAsync<AmazonEC2Exception>()).Which;
            error.ErrorCode.Should().Be("DryRunOperation");
            error.StatusCode.Should().Be(HttpStatusCode.PreconditionFailed);
        }

        var instance = await Ec2Scenario.DescribeAsync(ec2, id);
        instance.State.Name.Value.Should().Be("running");
        (instance.Tags ?? []).Should().BeEmpty();
        var keys = await ec2.DescribeKeyPairsAsync(new DescribeKeyPairsRequest { Filters = [new Filter("key-name", [keyName])] });
        (keys.KeyPairs ?? []).Should().BeEmpty();
    }

    [Fact]
    public async Task DryRun_RequestsThatWouldFail_FailWithTheRealError()
    {
        using var ec2 = silo.Alices();
        var imageId = await Ec2Scenario.ImageIdAsync(ec2);

        var badImage = () => ec2.RunInstancesAsync(new Amazon.EC2.Model.RunInstancesRequest { ImageId = "ami-0000000000000000f", MinCount = 1, MaxCount = 1, DryRun = true });
        var badKey = () => ec2.RunInstancesAsync(new Amazon.EC2.Model.RunInstancesRequest { ImageId = imageId, MinCount = 1, MaxCount = 1, KeyName = "none-such", DryRun = true });
        var missing = () => ec2.StopInstancesAsync(new StopInstancesRequest { InstanceIds = ["i-0123456789abcdef0"], DryRun = true });

        (await badImage.Should().ThrowAsync<AmazonEC2Exception>()).Which.ErrorCode.Should().Be("InvalidAMIID.NotFound");
        (await badKey.Should().ThrowAsync<AmazonEC2Exception>()).Which.ErrorCode.Should().Be("InvalidKeyPair.NotFound");
        (await missing.Should().ThrowAsync<AmazonEC2Exception>()).Which.ErrorCode.Should().Be("InvalidInstanceID.NotFound");
    }

    [Fact]
    public async Task DryRun_OnAnotherAccountsInstance_FailsWithUnauthorizedOperation()
    {
        using var alice = silo.Alices();
        using var bob = silo.Bobs();
        var id = (await Ec2Scenario.RunAsync(alice)).Single().InstanceId;

        var stop = () => bob.StopInstancesAsync(new StopInstancesRequest { InstanceIds = [id], DryRun = true });
        var tag = () => bob.CreateTagsAsync(new CreateTagsRequest { Resources = [id], Tags = [new Amazon.EC2.Model.Tag("a", "b")], DryRun = true });

        var error = (await stop.Should().ThrowAsync<AmazonEC2Exception>()).Which;
        error.ErrorCode.Should().Be("UnauthorizedOperation");
        error.StatusCode.Should().Be(HttpStatusCode.Forbidden);
        (await tag.Should().ThrowAsync<AmazonEC2Exception>()).Which.ErrorCode.Should().Be("UnauthorizedOperation");
    }

    [Fact]
    public async Task DryRun_TaggingAnotherAccountsKeyPairOrAPublicImage_FailsWithUnauthorizedOperation()
    {
        using var alice = silo.Alices();
        using var bob = silo.Bobs();
        var key = await alice.CreateKeyPairAsync(new CreateKeyPairRequest { KeyName = Ec2Scenario.UniqueName("k") });
        var imageId = await Ec2Scenario.ImageIdAsync(bob);

        var tagKey = () => bob.CreateTagsAsync(new CreateTagsRequest { Resources = [key.KeyPair.KeyPairId], Tags = [new Amazon.EC2.Model.Tag("a", "b")], DryRun = true });
        var tagImage = () => bob.CreateTagsAsync(new CreateTagsRequest { Resources = [imageId], Tags = [new Amazon.EC2.Model.Tag("a", "b")], DryRun = true });
        var tagMissingKey = () => bob.CreateTagsAsync(new CreateTagsRequest { Resources = ["key-0123456789abcdef0"], Tags = [new Amazon.EC2.Model.Tag("a", "b")], DryRun = true });

        (await tagKey.Should().ThrowAsync<AmazonEC2Exception>()).Which.ErrorCode.Should().Be("UnauthorizedOperation");
        (await tagImage.Should().ThrowAsync<AmazonEC2Exception>()).Which.ErrorCode.Should().Be("UnauthorizedOperation");
        (await tagMissingKey.Should().ThrowAsync<AmazonEC2Exception>()).Which.ErrorCode.Should().Be("InvalidKeyPair.NotFound");
    }
}

/// <summary>One account never sees or touches another's instances, key pairs or tags.</summary>
[Collection(ApiSiloCollection.Name)]
public sealed class AccountIsolationTests(ApiSiloFixture silo)
{
    [Fact]
    public async Task AnotherAccountsInstance_IsInvisibleAndUntouchable()
    {
        using var alice = silo.Alices();
        using var bob = silo.Bobs();
        var marker = Ec2Scenario.UniqueName("iso");
        var id = (await Ec2Scenario.RunAsync(alice, tags: [new Amazon.EC2.Model.Tag("Marker", marker)])).Single().InstanceId;

        var listed = await bob.DescribeInstancesAsync(new DescribeInstancesRequest { Filters = [new Filter("tag:Marker", [marker])] });
        var tags = await bob.DescribeTagsAsync(new DescribeTagsRequest { Filters = [new Filter("resource-id", [id])] });
        var calls = new Func<Task>[]
        {
            () => bob.DescribeInstancesAsync(new DescribeInstancesRequest { InstanceIds = [id] }),
            () => bob.StopInstancesAsync(new StopInstancesRequest { InstanceIds = [id] }),
            () => bob.TerminateInstancesAsync(new TerminateInstancesRequest { InstanceIds = [id] }),
            () => bob.RebootInstancesAsync(new RebootInstancesRequest { InstanceIds = [id] }),
            () => bob.GetPasswordDataAsync(new GetPasswordDataRequest { InstanceId = id }),
            () => bob.CreateTagsAsync(new CreateTagsRequest { Resources = [id], Tags = [new Amazon.EC2.Model.Tag("Owner", "bob")] }),
            () => bob.DeleteTagsAsync(new DeleteTagsRequest { Resources = [id] }),
        };

        (listed.Reservations ?? []).Should().BeEmpty();
        (tags.Tags ?? []).Should().BeEmpty();
        foreach (var call in calls)
        {
            (await call.Should().ThrowAsync<AmazonEC2Exception>()).Which.ErrorCode.Should().Be("InvalidInstanceID.NotFound");
        }

        var instance = await Ec2Scenario.DescribeAsync(alice, id);
        instance.State.Name.Value.Should().Be("running");
        instance.Tags.Select(t => t.Key).Should().Equal("Marker");
    }

    [Fact]
    public async Task AnotherAccountsKeyPair_IsInvisibleAndTheNameIsFree()
    {
        using var alice = silo.Alices();
        using var bob = silo.Bobs();
        var name = Ec2Scenario.UniqueName("shared-name");
        var alices = await alice.CreateKeyPairAsync(new CreateKeyPairRequest { KeyName = name });

        var describe = () => bob.DescribeKeyPairsAsync(new DescribeKeyPairsRequest { KeyNames = [name] });
        (await describe.Should().ThrowAsync<AmazonEC2Exception>()).Which.ErrorCode.Should().Be("InvalidKeyPair.NotFound");
        var bobs = await bob.CreateKeyPairAsync(new CreateKeyPairRequest { KeyName = name });
        await bob.DeleteKeyPairAsync(new DeleteKeyPairRequest { KeyPairId = alices.KeyPair.KeyPairId });

        bobs.KeyPair.KeyPairId.Should().NotBe(alices.KeyPair.KeyPairId);
        (await alice.DescribeKeyPairsAsync(new DescribeKeyPairsRequest { KeyNames = [name] })).KeyPairs.Single().KeyPairId.Should().Be(alices.KeyPair.KeyPairId);
    }
}
