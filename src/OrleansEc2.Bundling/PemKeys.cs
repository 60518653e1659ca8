using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace OrleansEc2.Bundling;

/// <summary>Loads the certificates and RSA private keys that bundling uses, from PEM text or files.</summary>
public static class PemKeys
{
    /// <summary>Reads an X.509 certificate file: PEM (<c>BEGIN CERTIFICATE</c>) or DER.</summary>
    public static X509Certificate2 LoadCertificate(string path)
    {
        var bytes = ReadFile(path, "certificate");
        try
        {
            var text = System.Text.Encoding.ASCII.GetString(bytes);
            return text.Contains("-----BEGIN", StringComparison.Ordinal)
                ? X509Certificate2.CreateFromPem(text)
                : X509CertificateLoader.LoadCertificate(bytes);
        }
        catch (CryptographicException e)
        {
            throw new BundleException(BundleError.InvalidKeyMaterial, $"{path} is not a PEM or DER X.509 certificate: {e.Message}", e);
        }
    }

    /// <summary>Reads an X.509 certificate from PEM text.</summary>
    public static X509Certificate2 ParseCertificate(string pem)
    {
        try
        {
            return X509Certificate2.CreateFromPem(pem);
        }
        catch (CryptographicException e)
        {
            throw new BundleException(BundleError.InvalidKeyMaterial, $"The text is not a PEM X.509 certificate: {e.Message}", e);
        }
    }

    /// <summary>Reads an RSA private key file in PEM: PKCS#1 (<c>BEGIN RSA PRIVATE KEY</c>) or PKCS#8 (<c>BEGIN PRIVATE KEY</c>).</summary>
    public static RSA LoadPrivateKey(string path)
    {
        var text = System.Text.Encoding.ASCII.GetString(ReadFile(path, "private key"));
        try
        {
            return ParsePrivateKey(text);
        }
        catch (BundleException e)
        {
            throw new BundleException(BundleError.InvalidKeyMaterial, $"{path}: {e.Message}", e);
        }
    }

    /// <summary>Reads an RSA private key from PEM text: PKCS#1 or PKCS#8.</summary>
    public static RSA ParsePrivateKey(string pem)
    {
        if (pem.Contains("-----BEGIN ENCRYPTED PRIVATE KEY-----", StringComparison.Ordinal))
        {
            throw new BundleException(BundleError.InvalidKeyMaterial, "The private key is encrypted with a passphrase; decrypt it first (openssl pkey -in KEY -out PLAIN.pem).");
        }

        if (!pem.Contains("PRIVATE KEY-----", StringComparison.Ordinal))
        {
            throw new BundleException(BundleError.InvalidKeyMaterial, "The text is not a PEM RSA private key (expected BEGIN RSA PRIVATE KEY or BEGIN PRIVATE KEY).");
        }

        var rsa = RSA.Create();
        try
        {
            rsa.ImportFromPem(pem);
            rsa.ExportParameters(false);
            return rsa;
        }
        catch (Exception e) when (e is CryptographicException or ArgumentException)
        {
            rsa.Dispose();
            throw new BundleException(BundleError.InvalidKeyMaterial, $"The text is not a PEM RSA private key: {e.Message}", e);
        }
    }

    /// <summary>The certificate's RSA public key, or a clear error when it has none.</summary>
    public static RSA GetRsaPublicKey(X509Certificate2 certificate) =>
        certificate.GetRSAPublicKey()
        ?? throw new BundleException(BundleError.InvalidKeyMaterial, $"The certificate {certificate.Subject} has no RSA public key.");

    private static byte[] ReadFile(string path, string what)
    {
        try
        {
            return File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new BundleException(BundleError.InvalidKeyMaterial, $"The {what} file {path} does not exist.", e);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new BundleException(BundleError.InvalidKeyMaterial, $"The {what} file {path} cannot be read: {e.Message}", e);
        }
    }
}
