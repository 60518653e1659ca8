using System.Security.Cryptography;

namespace OrleansEc2.Bundling.Tests;

public class PemKeysTests
{
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void LoadPrivateKey_ReadsPkcs1AndPkcs8Pem(bool pkcs1)
    {
        using var dir = new TempDirectory();
        var pem = pkcs1 ? TestIdentity.User.Pkcs1PrivateKeyPem : TestIdentity.User.Pkcs8PrivateKeyPem;
        File.WriteAllText(dir.File("pk.pem"), pem);

        using var key = PemKeys.LoadPrivateKey(dir.File("pk.pem"));

        key.ExportParameters(false).Modulus.Should().Equal(TestIdentity.User.PrivateKey.ExportParameters(false).Modulus);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void LoadCertificate_ReadsPemAndDer(bool pem)
    {
        using var dir = new TempDirectory();
        if (pem)
        {
            File.WriteAllText(dir.File("cert"), TestIdentity.EuWest1.CertificatePem);
        }
        else
        {
            File.WriteAllBytes(dir.File("cert"), TestIdentity.EuWest1.Certificate.RawData);
        }

        using var certificate = PemKeys.LoadCertificate(dir.File("cert"));

        certificate.Thumbprint.Should().Be(TestIdentity.EuWest1.Certificate.Thumbprint);
    }

    [Fact]
    public void LoadPrivateKey_OfAMissingFile_SaysSo()
    {
        var act = () => PemKeys.LoadPrivateKey("/nonexistent/pk.pem");

        act.Should().Throw<BundleException>().Which.Message.Should().Be("The private key file /nonexistent/pk.pem does not exist.");
    }

    [Fact]
    public void LoadPrivateKey_OfACertificateFile_SaysItIsNotAPrivateKey()
    {
        using var dir = new TempDirectory();
        File.WriteAllText(dir.File("cert.pem"), TestIdentity.User.CertificatePem);

        var act = () => PemKeys.LoadPrivateKey(dir.File("cert.pem"));

        act.Should().Throw<BundleException>().Which.Message.Should().Be(
            $"{dir.File("cert.pem")}: The text is not a PEM RSA private key (expected BEGIN RSA PRIVATE KEY or BEGIN PRIVATE KEY).");
    }

    [Fact]
    public void ParsePrivateKey_OfAnEncryptedKey_AsksForItDecrypted()
    {
        var encrypted = TestIdentity.User.PrivateKey.ExportEncryptedPkcs8PrivateKeyPem("secret", new PbeParameters(PbeEncryptionAlgorithm.Aes128Cbc, HashAlgorithmName.SHA256, 1000));

        var act = () => PemKeys.ParsePrivateKey(encrypted);

        act.Should().Throw<BundleException>().Which.Message.Should().Be(
            "The private key is encrypted with a passphrase; decrypt it first (openssl pkey -in KEY -out PLAIN.pem).");
    }

    [Fact]
    public void LoadCertificate_OfGarbage_SaysItIsNotACertificate()
    {
        using var dir = new TempDirectory();
        File.WriteAllText(dir.File("cert.pem"), "hello");

        var act = () => PemKeys.LoadCertificate(dir.File("cert.pem"));

        act.Should().Throw<BundleException>().Which.Message.Should().StartWith($"{dir.File("cert.pem")} is not a PEM or DER X.509 certificate: ");
    }
}
