using System.Net;
using System.Text.Json;
using OrleansEc2.Api.Tests.Infrastructure;

namespace OrleansEc2.Api.Tests.Protocol;

/// <summary>The live web view: a page, and the state it polls.</summary>
[Collection(ApiSiloCollection.Name)]
public sealed class WebViewTests(ApiSiloFixture silo)
{
    [Fact]
    public async Task Page_IsHtmlThatPollsTheState()
    {
        using var response = await silo.Http.GetAsync(new Uri(silo.BaseUri, "_sim/view"));

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        response.Content.Headers.ContentType!.MediaType.Should().Be("text/html");
        (await response.Content.ReadAsStringAsync()).Should().Contain("/_sim/view/state").And.Contain("<title>OrleansEc2");
    }

    [Fact]
    public async Task State_ShowsALaunchedInstanceUnderItsAccountAndRegion()
    {
        using var ec2 = silo.Alices();
        var instance = (await Ec2Scenario.RunAsync(ec2, tags: new Amazon.EC2.Model.Tag("Name", "in-the-view"))).Single();

        using var response = await silo.Http.GetAsync(new Uri(silo.BaseUri, "_sim/view/state"));
        var root = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        root.GetProperty("regions").EnumerateArray().Select(r => r.GetProperty("name").GetString())
            .Should().Equal("us-east-1", "eu-west-1", "us-west-1", "ap-southeast-1");
        var alice = root.GetProperty("accounts").EnumerateArray().Single(a => a.GetProperty("accountId").GetString() == ApiSiloFixture.Alice);
        var usEast = alice.GetProperty("regions").EnumerateArray().Single(r => r.GetProperty("region").GetString() == "us-east-1");
        var shown = usEast.GetProperty("instances").EnumerateArray().Single(i => i.GetProperty("instanceId").GetString() == instance.InstanceId);
        shown.GetProperty("state").GetString().Should().Be("running");
        shown.GetProperty("platform").GetString().Should().Be("windows");
        shown.GetProperty("name").GetString().Should().Be("in-the-view");
        var bob = root.GetProperty("accounts").EnumerateArray().Single(a => a.GetProperty("accountId").GetString() == ApiSiloFixture.Bob);
        bob.GetProperty("regions").EnumerateArray().SelectMany(r => r.GetProperty("instances").EnumerateArray())
            .Should().NotContain(i => i.GetProperty("instanceId").GetString() == instance.InstanceId);
    }
}
