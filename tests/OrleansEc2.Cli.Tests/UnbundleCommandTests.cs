namespace OrleansEc2.Cli.Tests;

[Collection(CliCollection.Name)]
public class UnbundleCommandTests
{
    [Theory]
    [InlineData("ec2-unbundle", "user.key")]
    [InlineData("unbundle", "ec2.key")]
    public async Task Unbundle_OfABundle_WritesBackTheExactImage(string command, string privateKey)
    {
        using var workspace = await BundledWorkspaceAsync();
        Directory.CreateDirectory(workspace.File("unbundled"));

        var run = await workspace.RunAsync(command, "-m", "bundled/winami.manifest.xml", "-k", privateKey, "-s", "bundled", "-d", "unbundled", "-c", "user.crt");

        run.ExitCode.Should().Be(0);
        run.Error.Should().BeEmpty();
        run.Out.Should().Be("Unbundle complete.\n");
        File.ReadAllBytes(workspace.File("unbundled/winami")).Should().Equal(File.ReadAllBytes(workspace.File("image.img")));
    }

    [Fact]
    public async Task Unbundle_WithAFlippedByteInAPart_FailsNamingThePart_AndLeavesNoImage()
    {
        using var workspace = await BundledWorkspaceAsync();
        var part = workspace.File("bundled/winami.part.01");
        var bytes = File.ReadAllBytes(part);
        bytes[100] ^= 0x01;
        File.WriteAllBytes(part, bytes);

        var run = await workspace.RunAsync("ec2-unbundle", "-m", "bundled/winami.manifest.xml", "-k", "user.key", "-s", "bundled", "-d", ".");

        run.ExitCode.Should().Be(254);
        run.Out.Should().BeEmpty();
        run.Error.Should().StartWith("ERROR: Part winami.part.01 (index 1) is corrupt: its SHA-1 is ");
        File.Exists(workspace.File("winami")).Should().BeFalse();
    }

    [Fact]
    public async Task Unbundle_WithAnotherUsersKey_FailsSayingTheKeyCannotUnseal()
    {
        using var workspace = await BundledWorkspaceAsync();

        var run = await workspace.RunAsync("ec2-unbundle", "-m", "bundled/winami.manifest.xml", "-k", "other.key", "-s", "bundled");

        run.ExitCode.Should().Be(254);
        run.Error.Should().Be(
            "ERROR: The private key cannot unseal the image key of winami.manifest.xml: it is neither the bundling user's key nor the EC2 key it was sealed for.\n");
    }

    [Fact]
    public async Task Unbundle_OfAManifestSignedByAnotherUser_FailsTheSignatureCheck()
    {
        using var workspace = await BundledWorkspaceAsync();

        var run = await workspace.RunAsync("ec2-unbundle", "-m", "bundled/winami.manifest.xml", "-k", "user.key", "-s", "bundled", "-c", "other.crt");

        run.ExitCode.Should().Be(254);
        run.Error.Should().Be("ERROR: The manifest was not signed by the user's certificate (CN=user-444455556666): it was signed with another private key.\n");
    }

    [Fact]
    public async Task Unbundle_WithoutTheManifestOption_ExplainsTheUsage()
    {
        using var workspace = new CliWorkspace();

        var run = await workspace.RunAsync("ec2-unbundle", "-k", "user.key");

        run.ExitCode.Should().Be(1);
        run.ErrorLines.Should().Equal(
            "ec2-unbundle: Option '--manifest' is required.",
            "Usage: ec2sim ec2-unbundle -m MANIFEST -k PRIVATEKEY [-s SOURCEDIR] [-d DESTDIR] [-c CERT]",
            "Try 'ec2sim ec2-unbundle --help' for more information.");
    }

    [Fact]
    public async Task Unbundle_OfAMissingPart_SaysWhichPartIsMissing()
    {
        using var workspace = await BundledWorkspaceAsync();
        File.Delete(workspace.File("bundled/winami.part.02"));

        var run = await workspace.RunAsync("ec2-unbundle", "-m", "bundled/winami.manifest.xml", "-k", "user.key", "-s", "bundled");

        run.ExitCode.Should().Be(254);
        run.Error.Should().Be($"ERROR: Part winami.part.02 is missing: {workspace.File("bundled/winami.part.02")} does not exist.\n");
    }

    private static async Task<CliWorkspace> BundledWorkspaceAsync()
    {
        var workspace = new CliWorkspace();
        workspace.WriteImage("image.img", 200_000);
        Directory.CreateDirectory(workspace.File("bundled"));
        var run = await workspace.RunAsync(
            "ec2-bundle-image", "-i", "image.img", "-c", "user.crt", "-k", "user.key", "-u", "111122223333",
            "-d", "bundled", "-p", "winami", "--ec2cert", "ec2.crt", "--batch", "--part-size", "40k");
        run.ExitCode.Should().Be(0);
        return workspace;
    }
}
