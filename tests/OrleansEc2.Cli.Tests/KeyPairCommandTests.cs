using System.Security.Cryptography;
using static OrleansEc2.Cli.Tests.LineTemplates;

namespace OrleansEc2.Cli.Tests;

[Collection(CliCollection.Name)]
public class KeyPairCommandTests(CliSiloFixture silo)
{
    [Fact]
    public async Task CreateKeyPair_PrintsTheKeyPairLineThenThePrivateKey()
    {
        using var workspace = silo.Workspace();

        var run = await workspace.RunAsync("ec2-create-keypair", "printed-key");

        run.ExitCode.Should().Be(0);
        run.OutLines[0].Should().MatchRegex(ToRegex(Tabs("KEYPAIR", "printed-key", "{fingerprint}")).ToString());
        run.OutLines[1].Should().Be("-----BEGIN RSA PRIVATE KEY-----");
        run.OutLines[^1].Should().Be("-----END RSA PRIVATE KEY-----");
        using var key = RSA.Create();
        key.ImportFromPem(string.Join('\n', run.OutLines[1..]));
        key.KeySize.Should().Be(2048);
    }

    [Fact]
    public async Task AddKeyPairWithAFile_WritesTheKeyReadableByItsOwnerOnly()
    {
        using var workspace = silo.Workspace();

        var run = await workspace.RunAsync("ec2-add-keypair", "filed-key", "-f", "filed.pem");

        run.ExitCode.Should().Be(0);
        run.OutLines.ShouldMatch(Tabs("KEYPAIR", "filed-key", "{fingerprint}", workspace.File("filed.pem")));
        File.ReadAllText(workspace.File("filed.pem")).Should().StartWith("-----BEGIN RSA PRIVATE KEY-----\n").And.EndWith("-----END RSA PRIVATE KEY-----\n");
        if (!OperatingSystem.IsWindows())
        {
            File.GetUnixFileMode(workspace.File("filed.pem")).Should().Be(UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }
    }

    [Fact]
    public async Task CreateKeyPair_TwiceWithOneName_FailsWithDuplicate()
    {
        using var workspace = silo.Workspace();
        (await workspace.RunAsync("ec2-create-keypair", "twice-key", "-f", "twice.pem")).ExitCode.Should().Be(0);

        var run = await workspace.RunAsync("ec2-create-keypair", "twice-key");

        run.ExitCode.Should().Be(3);
        run.Out.Should().BeEmpty();
        run.Error.Should().Be("Client.InvalidKeyPair.Duplicate: The keypair 'twice-key' already exists.\n");
    }

    [Fact]
    public async Task DescribeAndDeleteKeyPairs_PrintKeyPairLines()
    {
        using var workspace = silo.Workspace();
        var created = await workspace.RunAsync("create-keypair", "listed-key", "-f", "listed.pem");
        var fingerprint = created.OutLines[0].Split('\t')[2];

        var describe = await workspace.RunAsync("ec2-describe-keypairs", "listed-key");
        var delete = await workspace.RunAsync("ec2-delete-keypair", "listed-key");
        var after = await workspace.RunAsync("describe-keypairs", "-F", "key-name=listed-*");

        describe.ExitCode.Should().Be(0);
        describe.OutLines.Should().Equal(Tabs("KEYPAIR", "listed-key", fingerprint));
        delete.ExitCode.Should().Be(0);
        delete.OutLines.Should().Equal(Tabs("KEYPAIR", "listed-key"));
        after.ExitCode.Should().Be(0);
        after.Out.Should().BeEmpty();
    }
}
