using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace OrleansEc2.Bundling;

/// <summary>RSA PKCS#1 v1.5 sealing of the hex text of a key or IV, hex-encoded, as ec2-bundle-image and euca2ools did.</summary>
internal static class KeySealing
{
    public static string Seal(ReadOnlySpan<byte> secret, RSA publicKey)
    {
        var hexText = Encoding.ASCII.GetBytes(Convert.ToHexStringLower(secret));
        return Convert.ToHexStringLower(publicKey.Encrypt(hexText, RSAEncryptionPadding.Pkcs1));
    }

    public static string Seal(ReadOnlySpan<byte> secret, X509Certificate2 certificate)
    {
        using var publicKey = PemKeys.GetRsaPublicKey(certificate);
        return Seal(secret, publicKey);
    }

    /// <summary>
    /// Unseals a hex ciphertext with <paramref name="privateKey"/>. Returns false when the key is not the one it was
    /// sealed to: a PKCS#1 failure, or (where OpenSSL's implicit rejection hands back random bytes instead of an
    /// error) a plaintext that is not the 32 hex digits of a 128-bit secret.
    /// </summary>
    public static bool TryUnseal(string sealedHex, RSA privateKey, out byte[] secret)
    {
        secret = [];
        byte[] ciphertext;
        try
        {
            ciphertext = Convert.FromHexString(sealedHex);
        }
        catch (FormatException)
        {
            return false;
        }

        byte[] plaintext;
        try
        {
            plaintext = privateKey.Decrypt(ciphertext, RSAEncryptionPadding.Pkcs1);
        }
        catch (CryptographicException)
        {
            return false;
        }

        if (plaintext.Length != BundleKey.Length * 2 || !IsHexText(plaintext))
        {
            return false;
        }

        secret = Convert.FromHexString(Encoding.ASCII.GetString(plaintext));
        return true;
    }

    private static bool IsHexText(byte[] bytes)
    {
        foreach (var b in bytes)
        {
            if (!char.IsAsciiHexDigit((char)b))
            {
                return false;
            }
        }

        return true;
    }
}
