using System.Text.Json;
using static OrleansEc2.Cli.Tests.LineTemplates;

namespace OrleansEc2.Cli.Tests;

[Collection(CliCollection.Name)]
public class DescribeCommandTests(CliSiloFixture silo)
{
    private const string WindowsLocation = "ec2-public-windows-images/Windows-Server2003R2-i386-Base-v1.07.manifest.xml";
    private const string FedoraLocation = "ec2-public-images/fedora-8-i386-base-v1.07.manifest.xml";

    [Fact]
    public async Task DescribeRegions_PrintsARegionLinePerConfiguredRegion()
    {
        using var workspace = silo.Workspace();

        var run = await workspace.RunAsync("ec2-describe-regions");

        run.ExitCode.Should().Be(0);
        run.Error.Should().BeEmpty();
        run.OutLines.Should().Equal(
            Tabs("REGION", "us-east-1", "ec2.us-east-1.amazonaws.com"),
            Tabs("REGION", "eu-west-1", "ec2.eu-west-1.amazonaws.com"),
            Tabs("REGION", "us-west-1", "ec2.us-west-1.amazonaws.com"),
            Tabs("REGION", "ap-southeast-1", "ec2.ap-southeast-1.amazonaws.com"));
    }

    [Fact]
    public async Task DescribeRegions_WithAFilter_AnswersWithoutItsEc2Prefix()
    {
        using var workspace = silo.Workspace();

        var run = await workspace.RunAsync("describe-regions", "-F", "region-name=eu-*");

        run.ExitCode.Should().Be(0);
        run.OutLines.Should().Equal(Tabs("REGION", "eu-west-1", "ec2.eu-west-1.amazonaws.com"));
    }

    [Fact]
    public async Task DescribeAvailabilityZones_InTheRegionGiven_PrintsItsZones()
    {
        using var workspace = silo.Workspace();

        var run = await workspace.RunAsync("ec2-describe-availability-zones", "--region", "eu-west-1");

        run.ExitCode.Should().Be(0);
        run.OutLines.Should().Equal(
            Tabs("AVAILABILITYZONE", "eu-west-1a", "available", "eu-west-1"),
            Tabs("AVAILABILITYZONE", "eu-west-1b", "available", "eu-west-1"),
            Tabs("AVAILABILITYZONE", "eu-west-1c", "available", "eu-west-1"));
    }

    [Fact]
    public async Task DescribeImages_OwnedByAmazon_PrintsTheClassicImageLines()
    {
        using var workspace = silo.Workspace();

        var run = await workspace.RunAsync("ec2-describe-images", "-o", "amazon");

        run.ExitCode.Should().Be(0);
        run.OutLines.ShouldMatch(
            Tabs("IMAGE", "{ami}", FedoraLocation, "amazon", "available", "public", "", "i386", "machine", "", "", "", "instance-store", "paravirtual", "xen"),
            Tabs("IMAGE", "{ami}", WindowsLocation, "amazon", "available", "public", "", "i386", "machine", "", "", "windows", "instance-store", "hvm", "xen"));
    }

    [Fact]
    public async Task DescribeImages_WithAFilterAndJson_PrintsOneJsonDocument()
    {
        using var workspace = silo.Workspace();

        var run = await workspace.RunAsync("ec2-describe-images", "-o", "amazon", "-F", "platform=windows", "--json");

        run.ExitCode.Should().Be(0);
        using var document = JsonDocument.Parse(run.Out);
        var image = document.RootElement.GetProperty("images").EnumerateArray().Should().ContainSingle().Subject;
        image.GetProperty("imageId").GetString().Should().MatchRegex("^ami-[0-9a-f]{17}$");
        image.GetProperty("imageLocation").GetString().Should().Be(WindowsLocation);
        image.GetProperty("owner").GetString().Should().Be("amazon");
        image.GetProperty("visibility").GetString().Should().Be("public");
        image.GetProperty("platform").GetString().Should().Be("windows");
        image.TryGetProperty("kernelId", out _).Should().BeFalse("empty columns are left out of the JSON");
    }

    [Fact]
    public async Task DescribeImages_WithoutArguments_ShowsTheAccountsOwnImagesOnly_AndWithAllThePublicOnesToo()
    {
        using var workspace = silo.Workspace();

        var own = await workspace.RunAsync("ec2-describe-images");
        var all = await workspace.RunAsync("describe-images", "-a");

        own.ExitCode.Should().Be(0);
        own.OutLines.Should().OnlyContain(l => l.Split('\t', StringSplitOptions.None)[3] == CliSiloFixture.Alice);
        all.ExitCode.Should().Be(0);
        all.OutLines.Where(l => l.Split('\t', StringSplitOptions.None)[3] == "amazon").Select(l => l.Split('\t')[2])
            .Should().BeEquivalentTo([FedoraLocation, WindowsLocation]);
        all.OutLines.Should().Contain(own.OutLines);
    }

    [Fact]
    public async Task DescribeImages_AllWithAnOwner_IsAUsageError()
    {
        using var workspace = silo.Workspace();

        var run = await workspace.RunAsync("ec2-describe-images", "-a", "-o", "self");

        run.ExitCode.Should().Be(1);
        run.Out.Should().BeEmpty();
        run.ErrorLines.Should().Equal(
            "ec2-describe-images: -a/--all describes every image: it goes with neither image ids nor -o or -x.",
            "Usage: ec2sim ec2-describe-images [AMI ...] [-a] [-o self|amazon|ACCOUNT ...] [-x self|all|ACCOUNT ...] [-F NAME=VALUE ...]",
            "Try 'ec2sim ec2-describe-images --help' for more information.");
    }

    [Fact]
    public async Task DescribeImages_OfAMissingImage_PrintsTheServiceErrorAndExitsWith3()
    {
        using var workspace = silo.Workspace();

        var run = await workspace.RunAsync("ec2-describe-images", "ami-0123456789abcdef0");

        run.ExitCode.Should().Be(3);
        run.Out.Should().BeEmpty();
        run.Error.Should().Be("Client.InvalidAMIID.NotFound: The image id '[ami-0123456789abcdef0]' does not exist\n");
    }

    [Fact]
    public async Task DescribeImages_WithJsonAndAnError_PrintsNothingOnStandardOutput()
    {
        using var workspace = silo.Workspace();

        var run = await workspace.RunAsync("ec2-describe-images", "ami-0123456789abcdef0", "--json");

        run.ExitCode.Should().Be(3);
        run.Out.Should().BeEmpty();
        run.Error.Should().StartWith("Client.InvalidAMIID.NotFound: ");
    }
}
