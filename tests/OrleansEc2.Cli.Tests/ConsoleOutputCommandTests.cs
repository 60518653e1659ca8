using System.Globalization;
using System.Text;
using System.Text.Json;
using Amazon.EC2.Model;
using static OrleansEc2.Cli.Tests.LineTemplates;

namespace OrleansEc2.Cli.Tests;

[Collection(CliCollection.Name)]
public class ConsoleOutputCommandTests(CliSiloFixture silo)
{
    [Fact]
    public async Task GetConsoleOutput_PrintsTheInstanceTheTimeThenEc2ConfigsLines_WithThePasswordData()
    {
        using var workspace = silo.Workspace();
        (await workspace.RunAsync("ec2-create-keypair", "console-key", "-f", "console-key.pem")).ExitCode.Should().Be(0);
        var id = await silo.LaunchWindowsAsync("console-key");
        var computerName = (await silo.Silo.Grains.GetGrain<IInstanceGrain>(id).DescribeAsync(CliSiloFixture.Alice)).ComputerName;
        using var ec2 = silo.Ec2();
        var password = (await ec2.GetPasswordDataAsync(new GetPasswordDataRequest { InstanceId = id })).PasswordData;

        var run = await workspace.RunAsync("ec2-get-console-output", id);

        run.ExitCode.Should().Be(0);
        run.Error.Should().BeEmpty();
        run.OutLines.ShouldMatch(
            id,
            "{time}",
            "{console}: Windows sysprep configuration complete.",
            "{console}: Message: Waiting for meta-data accessibility...",
            "{console}: Message: Meta-data is now available.",
            "{console}: AMI Origin Version: 1.07",
            "{console}: OS: Microsoft Windows NT 5.2.3790 Service Pack 2",
            "{console}: Language: en-US",
            "{console}: Computer Name: " + computerName,
            "{console}: Message: Windows is Ready to use",
            "{console}: Username: Administrator",
            "{console}: Password: <Password>",
            password,
            "</Password>");
        var response = await ec2.GetConsoleOutputAsync(new GetConsoleOutputRequest { InstanceId = id });
        run.Out.Should().Be(
            id + "\n"
            + response.Timestamp!.Value.ToString("yyyy-MM-dd'T'HH:mm:ss'+0000'", CultureInfo.InvariantCulture) + "\n"
            + Encoding.UTF8.GetString(Convert.FromBase64String(response.Output)));
    }

    [Fact]
    public async Task GetConsoleOutput_WithoutThePrefix_AndAsJson_GivesTheDecodedOutput()
    {
        using var workspace = silo.Workspace();
        using var ec2 = silo.Ec2();
        var launched = await ec2.RunInstancesAsync(new Amazon.EC2.Model.RunInstancesRequest { ImageId = await silo.LinuxImageAsync(), MinCount = 1, MaxCount = 1 });
        var id = launched.Reservation.Instances.Single().InstanceId;
        var response = await ec2.GetConsoleOutputAsync(new GetConsoleOutputRequest { InstanceId = id });
        var expected = Encoding.UTF8.GetString(Convert.FromBase64String(response.Output));

        var text = await workspace.RunAsync("get-console-output", id);
        var json = await workspace.RunAsync("get-console-output", id, "--json");

        text.ExitCode.Should().Be(0);
        text.Out.Should().Be(id + "\n" + response.Timestamp!.Value.ToString("yyyy-MM-dd'T'HH:mm:ss'+0000'", CultureInfo.InvariantCulture) + "\n" + expected);
        text.OutLines[2].Should().StartWith("Linux version 2.6.21.7-2.fc8xen ");
        text.OutLines[^1].Should().MatchRegex("^domU-12-31-39-[0-9A-F]{2}-[0-9A-F]{2}-[0-9A-F]{2} login:$");
        json.ExitCode.Should().Be(0);
        using var document = JsonDocument.Parse(json.Out);
        document.RootElement.EnumerateObject().Select(p => p.Name).Should().Equal("instanceId", "timestamp", "output");
        document.RootElement.GetProperty("instanceId").GetString().Should().Be(id);
        document.RootElement.GetProperty("timestamp").GetString().Should().Be(response.Timestamp.Value.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture));
        document.RootElement.GetProperty("output").GetString().Should().Be(expected);
    }

    [Fact]
    public async Task GetConsoleOutput_OfAMissingOrMalformedInstance_PrintsTheServiceError()
    {
        using var workspace = silo.Workspace();

        var missing = await workspace.RunAsync("ec2-get-console-output", "i-0123456789abcdef0");
        var malformed = await workspace.RunAsync("ec2-get-console-output", "i-bad");

        missing.ExitCode.Should().Be(3);
        missing.Out.Should().BeEmpty();
        missing.Error.Should().Be("Client.InvalidInstanceID.NotFound: The instance ID 'i-0123456789abcdef0' does not exist\n");
        malformed.ExitCode.Should().Be(3);
        malformed.Error.Should().Be("Client.InvalidInstanceID.Malformed: Invalid id: \"i-bad\"\n");
    }

    [Fact]
    public async Task GetConsoleOutput_WithoutAnInstance_IsAUsageError()
    {
        using var workspace = silo.Workspace();

        var run = await workspace.RunAsync("ec2-get-console-output");

        run.ExitCode.Should().Be(1);
        run.Out.Should().BeEmpty();
        run.ErrorLines.Should().Equal(
            "ec2-get-console-output: Required argument missing for command: 'ec2-get-console-output'.",
            "Usage: ec2sim ec2-get-console-output INSTANCE",
            "Try 'ec2sim ec2-get-console-output --help' for more information.");
    }
}
