using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace OrleansEc2.Grains.Crypto;

/// <summary>Self-signed X.509 certificates with RSA keys, as PEM: regions' EC2 certificates and accounts' signing certificates.</summary>
public static class Certificates
{
    /// <summary>A new RSA-2048 key pair and a self-signed certificate for <paramref name="subject"/>, valid for ten years.</summary>
    public static SigningCredentials CreateSelfSigned(string subject, DateTimeOffset now)
    {
        using var rsa = RSA.Create(2048);
        var request = new CertificateRequest(subject, rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, critical: true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(
            X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyEncipherment | X509KeyUsageFlags.DataEncipherment,
            critical: true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, critical: false));
        using var certificate = request.CreateSelfSigned(now.AddDays(-1), now.AddYears(10));
        return new SigningCredentials(certificate.ExportCertificatePem(), rsa.ExportPkcs8PrivateKeyPem());
    }
}
