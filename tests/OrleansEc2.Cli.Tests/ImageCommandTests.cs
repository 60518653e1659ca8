using System.Text.Json;
using static OrleansEc2.Cli.Tests.LineTemplates;

namespace OrleansEc2.Cli.Tests;

[Collection(CliCollection.Name)]
public class ImageCommandTests(CliSiloFixture silo)
{
    [Fact]
    public async Task Register_ABundledInstance_ThenItsCopyKeepsTheChangesAndHasNoPasswordData()
    {
        using var workspace = silo.Workspace();
        (await workspace.RunAsync("ec2-create-keypair", "image-key", "-f", "image-key.pem")).ExitCode.Should().Be(0);
        var source = await silo.LaunchWindowsAsync("image-key");
        (await workspace.RunAsync("guest-write-file", source, @"C:\Users\Administrator\notes.txt", "-c", "kept in the image")).ExitCode.Should().Be(0);
        await BundleAsync(workspace, source, "cli-image-bucket", "winami");

        var register = await workspace.RunAsync("ec2-register", "cli-image-bucket/winami.manifest.xml", "-d", "Windows with notes");
        var ami = register.OutLines[0].Split('\t')[1];
        var describe = await workspace.RunAsync("ec2-describe-images");
        var json = await workspace.RunAsync("ec2-describe-images", ami, "--json");
        var launch = await workspace.RunAsync("ec2-run-instances", ami, "-k", "image-key", "--wait");
        var copy = launch.OutLines[1].Split('\t')[1];
        var password = await workspace.RunAsync("ec2-get-password", copy, "-k", "image-key.pem");
        var notes = await workspace.RunAsync("guest-cat", copy, @"C:\Users\Administrator\notes.txt");

        register.ExitCode.Should().Be(0);
        register.OutLines.ShouldMatch(Tabs("IMAGE", "{ami}"));
        describe.OutLines.Should().Contain(
            Tabs("IMAGE", ami, "cli-image-bucket/winami.manifest.xml", CliSiloFixture.Alice, "available", "private", "", "i386", "machine", "", "", "windows", "instance-store", "hvm", "xen"));
        using (var document = JsonDocument.Parse(json.Out))
        {
            document.RootElement.GetProperty("images")[0].GetProperty("imageLocation").GetString().Should().Be("cli-image-bucket/winami.manifest.xml");
        }

        using (var ec2 = silo.Ec2())
        {
            var image = (await ec2.DescribeImagesAsync(new Amazon.EC2.Model.DescribeImagesRequest { ImageIds = [ami] })).Images.Single();
            image.Name.Should().Be("winami", "the name defaults to the manifest's prefix");
            image.Description.Should().Be("Windows with notes");
        }

        launch.ExitCode.Should().Be(0);
        launch.OutLines.ShouldMatch(
            Tabs("RESERVATION", "{reservation}", CliSiloFixture.Alice),
            InstanceCommandTests.WindowsInstance(ami, "running", "image-key", "0", "m1.small", "us-east-1{any}"));
        password.ExitCode.Should().Be(0);
        password.Out.Should().BeEmpty("an instance of a bundled image keeps the bundled instance's password, which EC2 cannot give");
        notes.Out.Should().Be("kept in the image");
    }

    [Fact]
    public async Task Deregister_PrintsTheImage_AndItIsGoneFromTheAccountsImages()
    {
        using var workspace = silo.Workspace();
        var source = await silo.LaunchWindowsAsync();
        await BundleAsync(workspace, source, "cli-deregister-bucket", "gone");
        var ami = (await workspace.RunAsync("register", "cli-deregister-bucket/gone.manifest.xml", "-n", "gone-image")).OutLines[0].Split('\t')[1];

        var run = await workspace.RunAsync("ec2-deregister", ami);
        var after = await workspace.RunAsync("ec2-describe-images", "-o", "self");

        run.ExitCode.Should().Be(0);
        run.OutLines.Should().Equal(Tabs("IMAGE", ami));
        after.OutLines.Should().NotContain(l => l.Contains(ami, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Register_AManifestThatIsNotThere_PrintsTheServiceError()
    {
        using var workspace = silo.Workspace();

        var run = await workspace.RunAsync("ec2-register", "cli-no-such-bucket/none.manifest.xml");

        run.ExitCode.Should().Be(3);
        run.Out.Should().BeEmpty();
        run.Error.Should().StartWith("Client.");
    }

    [Fact]
    public async Task Register_WithoutABucket_IsAUsageError()
    {
        using var workspace = silo.Workspace();

        var run = await workspace.RunAsync("ec2-register", "winami.manifest.xml");

        run.ExitCode.Should().Be(1);
        run.ErrorLines.Should().Equal(
            "ec2-register: Invalid manifest location 'winami.manifest.xml': expected BUCKET/PREFIX.manifest.xml.",
            "Usage: ec2sim ec2-register BUCKET/PREFIX.manifest.xml [-n NAME] [-d DESCRIPTION] [-a i386|x86_64]",
            "Try 'ec2sim ec2-register --help' for more information.");
    }

    [Fact]
    public async Task Register_InAnotherRegion_IsRefusedUntilTheBundleIsMigrated()
    {
        using var workspace = silo.Workspace();
        var source = await silo.LaunchWindowsAsync();
        await BundleAsync(workspace, source, "cli-us-only-bucket", "usonly");

        var run = await workspace.RunAsync("ec2-register", "cli-us-only-bucket/usonly.manifest.xml", "--region", "eu-west-1");

        run.ExitCode.Should().Be(3);
        run.Error.Should().StartWith("Client.").And.Contain("migrate");
    }

    internal static async Task BundleAsync(CliWorkspace workspace, string instanceId, string bucket, string prefix)
    {
        var run = await workspace.RunAsync(
            "ec2-bundle-instance", instanceId, "-b", bucket, "-p", prefix, "-o", CliSiloFixture.AliceKey, "-w", CliSiloFixture.AliceSecret, "--wait");
        run.ExitCode.Should().Be(0, run.Error);
        run.OutLines[^1].Split('\t')[7].Should().Be("complete");
    }
}
