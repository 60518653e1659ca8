using System.Text.Json;
using static OrleansEc2.Cli.Tests.LineTemplates;

namespace OrleansEc2.Cli.Tests;

[Collection(CliCollection.Name)]
public class DescribeGroupCommandTests(CliSiloFixture silo)
{
    [Fact]
    public async Task DescribeGroup_PrintsTheDefaultGroup_ThenItsPermissionLines()
    {
        using var workspace = silo.Workspace();

        var run = await workspace.RunAsync("ec2-describe-group");

        run.ExitCode.Should().Be(0);
        var id = run.OutLines[0].Split('\t')[1];
        run.OutLines.ShouldMatch(
            Tabs("GROUP", "{group}", CliSiloFixture.Alice, "default", "default group"),
            Tabs("PERMISSION", CliSiloFixture.Alice, "default", "ALLOWS", "icmp", "-1", "-1", "FROM", "USER", CliSiloFixture.Alice, "NAME", "default", "ID", id, "ingress"),
            Tabs("PERMISSION", CliSiloFixture.Alice, "default", "ALLOWS", "tcp", "0", "65535", "FROM", "USER", CliSiloFixture.Alice, "NAME", "default", "ID", id, "ingress"),
            Tabs("PERMISSION", CliSiloFixture.Alice, "default", "ALLOWS", "udp", "0", "65535", "FROM", "USER", CliSiloFixture.Alice, "NAME", "default", "ID", id, "ingress"));
    }

    [Fact]
    public async Task DescribeGroup_ByNameOrId_AndAsJson()
    {
        using var workspace = silo.Workspace();
        var all = await workspace.RunAsync("describe-group");
        var id = all.OutLines[0].Split('\t')[1];

        var byName = await workspace.RunAsync("describe-group", "default");
        var byId = await workspace.RunAsync("ec2-describe-group", id);
        var json = await workspace.RunAsync("ec2-describe-group", "--json");

        byName.OutLines.Should().Equal(all.OutLines);
        byId.OutLines.Should().Equal(all.OutLines);
        using var document = JsonDocument.Parse(json.Out);
        var group = document.RootElement.GetProperty("securityGroups")[0];
        group.GetProperty("groupId").GetString().Should().Be(id);
        group.GetProperty("groupName").GetString().Should().Be("default");
        group.GetProperty("permissions").GetArrayLength().Should().Be(3);
    }

    [Fact]
    public async Task DescribeGroup_UnknownGroup_IsTheServicesError()
    {
        using var workspace = silo.Workspace();

        var byName = await workspace.RunAsync("ec2-describe-group", "web");
        var byId = await workspace.RunAsync("ec2-describe-group", "sg-0");

        byName.ExitCode.Should().Be(3);
        byName.Out.Should().BeEmpty();
        byName.Error.Should().StartWith("Client.InvalidGroup.NotFound: ").And.Contain("'web'");
        byId.ExitCode.Should().Be(3);
        byId.Error.Should().StartWith("Client.InvalidGroupId.Malformed: ");
    }
}
