using System.Text.Json;
using static OrleansEc2.Cli.Tests.LineTemplates;

namespace OrleansEc2.Cli.Tests;

[Collection(CliCollection.Name)]
public class MigrationCommandTests(CliSiloFixture silo)
{
    [Fact]
    public async Task MigrateImageWithWait_CopiesTheBundleToTheEu_WhereItRegistersAndLaunches()
    {
        using var workspace = silo.Workspace();
        var source = await silo.LaunchWindowsAsync();
        (await workspace.RunAsync("guest-write-file", source, @"C:\eu.txt", "-c", "migrated")).ExitCode.Should().Be(0);
        await ImageCommandTests.BundleAsync(workspace, source, "cli-migrate-us", "winami");
        var (cert, key) = await CredentialsAsync(workspace);

        var run = await workspace.RunAsync(
            "ec2-migrate-image", "--cert", cert, "--privatekey", key, "-o", CliSiloFixture.AliceKey, "-w", CliSiloFixture.AliceSecret,
            "--bucket", "cli-migrate-us", "--destination-bucket", "cli-migrate-eu", "--manifest", "winami.manifest.xml", "--location", "EU", "--wait");
        var migrationId = run.OutLines[0].Split('\t')[1];
        var described = await workspace.RunAsync("describe-migration", migrationId);
        var register = await workspace.RunAsync("ec2-register", "cli-migrate-eu/winami.manifest.xml", "--region", "eu-west-1");
        var ami = register.OutLines[0].Split('\t')[1];
        var launch = await workspace.RunAsync("ec2-run-instances", ami, "--region", "eu-west-1", "--wait");
        var copy = launch.OutLines[1].Split('\t')[1];
        var file = await workspace.RunAsync("guest-cat", copy, @"C:\eu.txt", "--region", "eu-west-1");

        run.ExitCode.Should().Be(0, run.Error);
        var line = Tabs("MIGRATION", "{migration}", "cli-migrate-us/winami.manifest.xml", "cli-migrate-eu/winami.manifest.xml", "eu-west-1", "{time}", "{time}");
        run.OutLines[0].Should().MatchRegex(ToRegex(Tabs(line, "pending", "0/1")).ToString());
        run.OutLines[^1].Should().MatchRegex(ToRegex(Tabs(line, "complete", "1/1")).ToString());
        run.OutLines.Should().OnlyContain(l => Matches(l, Tabs(line, "{any}", "{any}")));
        described.OutLines.Should().Equal(run.OutLines[^1]);
        register.ExitCode.Should().Be(0, register.Error);
        launch.OutLines.ShouldMatch(
            Tabs("RESERVATION", "{reservation}", CliSiloFixture.Alice),
            InstanceCommandTests.WindowsInstance(ami, "running", "", "0", "m1.small", "eu-west-1{any}"));
        file.Out.Should().Be("migrated");
    }

    [Fact]
    public async Task MigrateImage_WithJsonAndWithoutWait_PrintsTheStartedMigration()
    {
        using var workspace = silo.Workspace();
        var source = await silo.LaunchWindowsAsync();
        await ImageCommandTests.BundleAsync(workspace, source, "cli-migrate-json", "jsonami");
        var (cert, key) = await CredentialsAsync(workspace);

        var run = await workspace.RunAsync(
            "migrate-image", "-c", cert, "-k", key, "--bucket", "cli-migrate-json", "--destination-bucket", "cli-migrate-json-eu",
            "--manifest", "jsonami.manifest.xml", "--location", "eu-west-1", "--json");

        run.ExitCode.Should().Be(0, run.Error);
        using var document = JsonDocument.Parse(run.Out);
        var migration = document.RootElement.GetProperty("migrations").EnumerateArray().Should().ContainSingle().Subject;
        migration.GetProperty("migrationId").GetString().Should().MatchRegex("^mig-[0-9a-f]{8}$");
        migration.GetProperty("source").GetString().Should().Be("cli-migrate-json/jsonami.manifest.xml");
        migration.GetProperty("destination").GetString().Should().Be("cli-migrate-json-eu/jsonami.manifest.xml");
        migration.GetProperty("destinationRegion").GetString().Should().Be("eu-west-1");
    }

    [Fact]
    public async Task MigrateImage_WithAnotherAccountsCertificate_IsRefused()
    {
        using var workspace = silo.Workspace();
        var source = await silo.LaunchWindowsAsync();
        await ImageCommandTests.BundleAsync(workspace, source, "cli-migrate-bob", "bobami");
        var bobs = await workspace.RunAsync("download-credentials", "-d", "bob", "-O", CliSiloFixture.BobKey, "-W", CliSiloFixture.BobSecret);
        var columns = bobs.OutLines[0].Split('\t');

        var run = await workspace.RunAsync(
            "ec2-migrate-image", "-c", columns[1], "-k", columns[2], "--bucket", "cli-migrate-bob", "--destination-bucket", "cli-migrate-bob-eu",
            "--manifest", "bobami.manifest.xml", "--location", "EU");

        run.ExitCode.Should().Be(3);
        run.Out.Should().BeEmpty();
        run.Error.Should().StartWith("Client.InvalidParameterValue: ");
    }

    [Fact]
    public async Task MigrateImage_ToAnUnknownLocation_IsRefused()
    {
        using var workspace = silo.Workspace();
        var (cert, key) = await CredentialsAsync(workspace);

        var run = await workspace.RunAsync(
            "ec2-migrate-image", "-c", cert, "-k", key, "--bucket", "cli-nowhere", "--destination-bucket", "cli-nowhere-2",
            "--manifest", "x.manifest.xml", "--location", "MOON");

        run.ExitCode.Should().Be(3);
        run.Error.Should().StartWith("Client.InvalidLocationConstraint: ");
    }

    [Fact]
    public async Task MigrateImage_WithoutTheCertificateFile_SaysFileNotFound()
    {
        using var workspace = silo.Workspace();

        var run = await workspace.RunAsync(
            "ec2-migrate-image", "-c", "missing-cert.pem", "-k", "user.key", "--bucket", "b1b", "--destination-bucket", "b2b",
            "--manifest", "x.manifest.xml", "--location", "EU");

        run.ExitCode.Should().Be(2);
        run.Error.Should().Be("ERROR: File not found: missing-cert.pem\n");
    }

    [Fact]
    public async Task DescribeMigration_OfAnUnknownId_PrintsTheServiceError()
    {
        using var workspace = silo.Workspace();

        var run = await workspace.RunAsync("describe-migration", "mig-0badc0de");

        run.ExitCode.Should().Be(3);
        run.Error.Should().StartWith("Client.InvalidMigrationID.NotFound: ");
    }

    [Fact]
    public async Task CopyImageWithWait_CopiesARegisteredImageIntoTheRegionGiven()
    {
        using var workspace = silo.Workspace();
        var source = await silo.LaunchWindowsAsync();
        await ImageCommandTests.BundleAsync(workspace, source, "cli-copy-us", "copyami");
        var ami = (await workspace.RunAsync("ec2-register", "cli-copy-us/copyami.manifest.xml", "-n", "copy-source")).OutLines[0].Split('\t')[1];

        var run = await workspace.RunAsync("ec2-copy-image", "-r", "us-east-1", "-s", ami, "--region", "eu-west-1", "--wait");
        var copy = run.OutLines[0].Split('\t')[1];
        var launch = await workspace.RunAsync("run-instances", copy, "--region", "eu-west-1");

        run.ExitCode.Should().Be(0, run.Error);
        run.OutLines[0].Should().MatchRegex(ToRegex(Tabs("IMAGE", "{ami}")).ToString());
        run.OutLines[^1].Should().MatchRegex(ToRegex(Tabs("IMAGE", copy, "{any}", CliSiloFixture.Alice, "available", "private", "", "i386", "machine", "", "", "windows", "instance-store", "hvm", "xen")).ToString());
        launch.ExitCode.Should().Be(0, launch.Error);
    }

    private static async Task<(string Cert, string Key)> CredentialsAsync(CliWorkspace workspace)
    {
        var run = await workspace.RunAsync("download-credentials", "-d", "creds");
        run.ExitCode.Should().Be(0, run.Error);
        var columns = run.OutLines[0].Split('\t');
        return (columns[1], columns[2]);
    }
}
