using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace OrleansEc2.Bundling.Tests;

/// <summary>An RSA key with its self-signed certificate, as a user or a region holds them.</summary>
public sealed class TestIdentity
{
    private TestIdentity(string name)
    {
        Name = name;
        PrivateKey = RSA.Create(2048);
        var request = new CertificateRequest($"CN={name}", PrivateKey, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        using var withKey = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddYears(1));
        Certificate = X509CertificateLoader.LoadCertificate(withKey.Export(X509ContentType.Cert));
    }

    public string Name { get; }

    public RSA PrivateKey { get; }

    public X509Certificate2 Certificate { get; }

    public string CertificatePem => Certificate.ExportCertificatePem();

    public string Pkcs1PrivateKeyPem => PrivateKey.ExportRSAPrivateKeyPem();

    public string Pkcs8PrivateKeyPem => PrivateKey.ExportPkcs8PrivateKeyPem();

    // Key generation is slow; every test shares the same few identities (they are never mutated).
    public static TestIdentity User { get; } = new("user-111122223333");

    public static TestIdentity OtherUser { get; } = new("user-444455556666");

    public static TestIdentity UsEast1 { get; } = new("ec2-us-east-1");

    public static TestIdentity EuWest1 { get; } = new("ec2-eu-west-1");
}

/// <summary>Deterministic images with a disk-like mix: zeros, repeated text, and random bytes.</summary>
public static class TestImages
{
    public static byte[] Create(int length, int seed = 1)
    {
        var image = new byte[length];
        var random = new Random(seed);
        var text = "C:\\Windows\\System32\\config\\SOFTWARE registry hive; pagefile.sys; hiberfil.sys\r\n"u8.ToArray();
        for (var offset = 0; offset < length;)
        {
            var run = Math.Min(length - offset, random.Next(1, 64 * 1024));
            switch (random.Next(3))
            {
                case 0:
                    break;
                case 1:
                    for (var i = 0; i < run; i++)
                    {
                        image[offset + i] = text[i % text.Length];
                    }

                    break;
                default:
                    random.NextBytes(image.AsSpan(offset, run));
                    break;
            }

            offset += run;
        }

        return image;
    }
}

/// <summary>Temporary directory removed at dispose.</summary>
public sealed class TempDirectory : IDisposable
{
    public TempDirectory()
    {
        Path = Directory.CreateTempSubdirectory("bundling-tests-").FullName;
    }

    public string Path { get; }

    public string File(string name) => System.IO.Path.Combine(Path, name);

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
