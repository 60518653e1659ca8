using OrleansEc2.Bundling;

namespace OrleansEc2.Cli.Tests;

[Collection(CliCollection.Name)]
public class BundleImageCommandTests
{
    [Fact]
    public async Task BundleImage_PrintsTheClassicLines_AndWritesPartsThenTheManifest()
    {
        using var workspace = new CliWorkspace();
        workspace.WriteImage("image.img", 300_000);
        Directory.CreateDirectory(workspace.File("bundled"));

        var run = await workspace.RunAsync(
            "ec2-bundle-image", "-i", "image.img", "-c", "user.crt", "-k", "user.key", "-u", "111122223333",
            "-d", "bundled", "-p", "winami", "--ec2cert", "ec2.crt", "-r", "x86_64", "--part-size", "64k");

        run.ExitCode.Should().Be(0);
        run.Error.Should().BeEmpty();
        var bundled = workspace.File("bundled");
        run.OutLines.Should().Equal(
            "Bundling image file...",
            $"Splitting {bundled}/winami.tar.gz.enc...",
            "Created winami.part.00",
            "Created winami.part.01",
            "Created winami.part.02",
            "Generating digests for each part...",
            "Digests generated.",
            "Creating bundle manifest...",
            $"Bundle manifest is {bundled}/winami.manifest.xml",
            "ec2-bundle-image complete.");
        Directory.GetFiles(bundled).Select(Path.GetFileName).Order(StringComparer.Ordinal)
            .Should().Equal("winami.manifest.xml", "winami.part.00", "winami.part.01", "winami.part.02");
        var manifest = Manifest.Parse(File.ReadAllText(Path.Combine(bundled, "winami.manifest.xml")));
        manifest.User.Should().Be("111122223333");
        manifest.Architecture.Should().Be("x86_64");
        manifest.Size.Should().Be(300_000);
        using var userCertificate = PemKeys.LoadCertificate(workspace.File("user.crt"));
        ManifestVerifier.VerifySignature(manifest, userCertificate);
    }

    [Fact]
    public async Task BundleImage_WithoutPrefix_NamesTheBundleAfterTheImageFile_AndAnswersWithoutItsEc2Prefix()
    {
        using var workspace = new CliWorkspace();
        workspace.WriteImage("disk.raw", 1000);

        var run = await workspace.RunAsync(
            "bundle-image", "-i", "disk.raw", "-c", "user.crt", "-k", "user.key", "-u", "1111-2222-3333", "-d", ".", "--ec2cert", "ec2.crt", "--batch");

        run.ExitCode.Should().Be(0);
        run.OutLines.Should().Contain("Created disk.raw.part.00").And.HaveElementAt(0, "Bundling image file...");
        File.Exists(workspace.File("disk.raw.manifest.xml")).Should().BeTrue();
    }

    [Fact]
    public async Task BundleImage_WithoutArch_AsksForItAndUsesTheAnswer()
    {
        using var workspace = new CliWorkspace();
        workspace.WriteImage("image.img", 1000);

        var run = await workspace.RunWithInputAsync(
            "i386\n", "ec2-bundle-image", "-i", "image.img", "-c", "user.crt", "-k", "user.key", "-u", "111122223333", "-d", ".", "--ec2cert", "ec2.crt");

        run.ExitCode.Should().Be(0);
        run.Out.Should().StartWith("Please specify a value for arch [x86_64]: \nBundling image file...\n");
        Manifest.Parse(File.ReadAllText(workspace.File("image.img.manifest.xml"))).Architecture.Should().Be("i386");
    }

    [Fact]
    public async Task BundleImage_InBatchModeWithoutArch_UsesX8664WithoutAsking()
    {
        using var workspace = new CliWorkspace();
        workspace.WriteImage("image.img", 1000);

        var run = await workspace.RunAsync(
            "ec2-bundle-image", "-i", "image.img", "-c", "user.crt", "-k", "user.key", "-u", "111122223333", "-d", ".", "--ec2cert", "ec2.crt", "--batch");

        run.ExitCode.Should().Be(0);
        run.Out.Should().StartWith("Bundling image file...\n");
        Manifest.Parse(File.ReadAllText(workspace.File("image.img.manifest.xml"))).Architecture.Should().Be("x86_64");
    }

    [Fact]
    public async Task BundleImage_WithProductCodesMappingsKernelAndRamdisk_WritesThemIntoTheManifest()
    {
        using var workspace = new CliWorkspace();
        workspace.WriteImage("image.img", 1000);

        var run = await workspace.RunAsync(
            "ec2-bundle-image", "-i", "image.img", "-c", "user.crt", "-k", "user.key", "-u", "111122223333", "-d", ".", "--ec2cert", "ec2.crt", "--batch",
            "--productcodes", "774F4FF8,ABCD1234", "-B", "ami=sda1,root=/dev/sda1", "--kernel", "aki-12345678", "--ramdisk", "ari-12345678");

        run.ExitCode.Should().Be(0);
        var manifest = Manifest.Parse(File.ReadAllText(workspace.File("image.img.manifest.xml")));
        manifest.ProductCodes.Should().Equal("774F4FF8", "ABCD1234");
        manifest.BlockDeviceMappings.Should().Equal(new BlockDeviceMapping("ami", "sda1"), new BlockDeviceMapping("root", "/dev/sda1"));
        manifest.KernelId.Should().Be("aki-12345678");
        manifest.RamdiskId.Should().Be("ari-12345678");
    }

    [Fact]
    public async Task BundleImage_WithoutRequiredOptions_ExplainsTheUsageAndExitsWith1()
    {
        using var workspace = new CliWorkspace();

        var run = await workspace.RunAsync("ec2-bundle-image", "-i", "image.img");

        run.ExitCode.Should().Be(1);
        run.Out.Should().BeEmpty();
        run.ErrorLines.Should().Equal(
            "ec2-bundle-image: Option '--cert' is required.",
            "ec2-bundle-image: Option '--privatekey' is required.",
            "ec2-bundle-image: Option '--user' is required.",
            "ec2-bundle-image: Option '--ec2cert' is required.",
            "Usage: ec2sim ec2-bundle-image -i IMAGE -c CERT -k PRIVATEKEY -u ACCOUNT --ec2cert EC2CERT [-d DESTDIR] [-p PREFIX] [-r i386|x86_64] "
            + "[--productcodes CODE1,CODE2,...] [-B VIRTUAL=DEVICE,...] [--kernel KERNEL_ID] [--ramdisk RAMDISK_ID] [--batch]",
            "Try 'ec2sim ec2-bundle-image --help' for more information.");
    }

    [Fact]
    public async Task BundleImage_WithAnAccountIdThatIsNot12Digits_IsAUsageError()
    {
        using var workspace = new CliWorkspace();
        workspace.WriteImage("image.img", 10);

        var run = await workspace.RunAsync(
            "ec2-bundle-image", "-i", "image.img", "-c", "user.crt", "-k", "user.key", "-u", "12345", "--ec2cert", "ec2.crt", "--batch");

        run.ExitCode.Should().Be(1);
        run.ErrorLines[0].Should().Be("ec2-bundle-image: Invalid value for --user: '12345' is not a 12-digit AWS account ID.");
        run.ErrorLines[1].Should().StartWith("Usage: ec2sim ec2-bundle-image ");
    }

    [Fact]
    public async Task BundleImage_OfAMissingImageFile_SaysFileNotFoundAndExitsWith2()
    {
        using var workspace = new CliWorkspace();

        var run = await workspace.RunAsync(
            "ec2-bundle-image", "-i", "missing.img", "-c", "user.crt", "-k", "user.key", "-u", "111122223333", "--ec2cert", "ec2.crt", "--batch");

        run.ExitCode.Should().Be(2);
        run.Error.Should().Be("ERROR: File not found: missing.img\n");
        run.Out.Should().BeEmpty();
    }

    [Fact]
    public async Task BundleImage_WithACertificateAsThePrivateKey_FailsWithAClearMessage()
    {
        using var workspace = new CliWorkspace();
        workspace.WriteImage("image.img", 10);

        var run = await workspace.RunAsync(
            "ec2-bundle-image", "-i", "image.img", "-c", "user.crt", "-k", "user.crt", "-u", "111122223333", "-d", ".", "--ec2cert", "ec2.crt", "--batch");

        run.ExitCode.Should().Be(254);
        run.Error.Should().Be($"ERROR: {workspace.File("user.crt")}: The text is not a PEM RSA private key (expected BEGIN RSA PRIVATE KEY or BEGIN PRIVATE KEY).\n");
    }

    [Fact]
    public async Task BundleImage_WithAnUnknownArchitecture_IsAUsageError()
    {
        using var workspace = new CliWorkspace();

        var run = await workspace.RunAsync(
            "ec2-bundle-image", "-i", "image.img", "-c", "user.crt", "-k", "user.key", "-u", "111122223333", "--ec2cert", "ec2.crt", "-r", "armhf");

        run.ExitCode.Should().Be(1);
        run.ErrorLines[0].Should().Be("ec2-bundle-image: Argument 'armhf' not recognized. Must be one of:");
    }

    [Fact]
    public async Task Ec2Sim_WithoutACommand_ExplainsTheUsage()
    {
        using var workspace = new CliWorkspace();

        var run = await workspace.RunAsync();

        run.ExitCode.Should().Be(1);
        run.ErrorLines.Should().Equal(
            "ec2sim: Required command was not provided.",
            "Usage: ec2sim COMMAND [options]   (ec2sim --help lists the commands; ec2sim COMMAND --help describes one)",
            "Try 'ec2sim --help' for more information.");
    }
}
