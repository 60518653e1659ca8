using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using static OrleansEc2.Cli.Tests.LineTemplates;

namespace OrleansEc2.Cli.Tests;

[Collection(CliCollection.Name)]
public class CredentialsCommandTests(CliSiloFixture silo)
{
    [Fact]
    public async Task DownloadCredentials_WritesTheAccountsCertificateAndKeyAsAwsNamedThem()
    {
        using var workspace = silo.Workspace();

        var run = await workspace.RunAsync("download-credentials", "-d", "creds");

        run.ExitCode.Should().Be(0);
        var files = Directory.GetFiles(workspace.File("creds")).Select(Path.GetFileName).Where(f => !f!.StartsWith("cert-ec2-", StringComparison.Ordinal)).Order(StringComparer.Ordinal).ToArray();
        files.Should().HaveCount(2);
        files[0].Should().MatchRegex("^cert-[A-Z2-7]{32}\\.pem$");
        files[1].Should().Be("pk-" + files[0]!["cert-".Length..]);
        run.OutLines.Should().Equal(
            Tabs("CREDENTIALS", workspace.File("creds/" + files[0]), workspace.File("creds/" + files[1])),
            Tabs("EC2CERT", "us-east-1", workspace.File("creds/cert-ec2-us-east-1.pem")));
        File.ReadAllText(workspace.File("creds/cert-ec2-us-east-1.pem")).Should().Be(await silo.Ec2CertificatePemAsync(), "the region's EC2 certificate, for ec2-bundle-image --ec2cert");
        Directory.GetFiles(workspace.File("creds")).Should().HaveCount(3);

        using var certificate = X509Certificate2.CreateFromPem(File.ReadAllText(workspace.File("creds/" + files[0])));
        using var key = RSA.Create();
        key.ImportFromPem(File.ReadAllText(workspace.File("creds/" + files[1])));
        certificate.GetRSAPublicKey()!.ExportSubjectPublicKeyInfo().Should().Equal(key.ExportSubjectPublicKeyInfo(), "the key is the certificate's");
        if (!OperatingSystem.IsWindows())
        {
            File.GetUnixFileMode(workspace.File("creds/" + files[1])).Should().Be(UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }

        var again = await workspace.RunAsync("download-credentials", "-d", "creds");
        again.OutLines.Should().Equal(run.OutLines, "the same certificate gets the same names");
    }

    [Fact]
    public async Task DownloadCredentials_OfAnotherAccount_AreThatAccountsOwn()
    {
        using var workspace = silo.Workspace();

        var alice = await workspace.RunAsync("download-credentials", "-d", "alice");
        var bob = await workspace.RunAsync("download-credentials", "-d", "bob", "-O", CliSiloFixture.BobKey, "-W", CliSiloFixture.BobSecret);

        bob.ExitCode.Should().Be(0);
        Path.GetFileName(bob.OutLines[0].Split('\t')[1]).Should().NotBe(Path.GetFileName(alice.OutLines[0].Split('\t')[1]));
    }
}
