using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace OrleansEc2.Grains.Crypto;

/// <summary>EC2 key pair material: new RSA key pairs, imported public keys (OpenSSH, PEM, DER) and their fingerprints.</summary>
public static class KeyPairs
{
    /// <summary>A new RSA-2048 key pair: the private key as EC2 hands it out (PKCS#1 PEM), the public key (SPKI PEM), and its fingerprint.</summary>
    public static (string PrivateKeyPem, string PublicKeyPem, string Fingerprint) Create()
    {
        using var rsa = RSA.Create(2048);

        // EC2's fingerprint of a key pair it created: SHA-1 of the DER-encoded PKCS#8 private key.
        var fingerprint = ColonHex(SHA1.HashData(rsa.ExportPkcs8PrivateKey()));
        return (rsa.ExportRSAPrivateKeyPem(), rsa.ExportSubjectPublicKeyInfoPem(), fingerprint);
    }

    /// <summary>
    /// Reads an imported public key (an OpenSSH <c>ssh-rsa AAAA… comment</c> line, a PEM public key, or base64 DER) into
    /// SPKI PEM and EC2's fingerprint for imported keys (MD5 of the DER public key). <c>InvalidKey.Format</c> otherwise.
    /// </summary>
    public static (string PublicKeyPem, string Fingerprint) Import(string material)
    {
        using var rsa = RSA.Create();
        try
        {
            var text = material.Trim();
            if (text.StartsWith("ssh-rsa ", StringComparison.Ordinal))
            {
                rsa.ImportParameters(ReadOpenSshRsa(Convert.FromBase64String(text.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1])));
            }
            else if (text.StartsWith("-----BEGIN", StringComparison.Ordinal))
            {
                rsa.ImportFromPem(text);
            }
            else
            {
                rsa.ImportSubjectPublicKeyInfo(Convert.FromBase64String(text), out _);
            }
        }
        catch (Exception e) when (e is FormatException or CryptographicException or ArgumentException or IndexOutOfRangeException)
        {
            throw new Ec2Exception(Ec2ErrorCodes.InvalidKeyFormat, "Key is not in valid OpenSSH public key format");
        }

        if (rsa.KeySize < 1024)
        {
            throw new Ec2Exception(Ec2ErrorCodes.InvalidKeyFormat, $"Key length {rsa.KeySize} is too short: RSA keys must be at least 1024 bits.");
        }

        return (rsa.ExportSubjectPublicKeyInfoPem(), ColonHex(MD5.HashData(rsa.ExportSubjectPublicKeyInfo())));
    }

    /// <summary>Seals <paramref name="plaintext"/> to a public key the way GetPasswordData returns it: RSA PKCS#1 v1.5, base64.</summary>
    public static string EncryptToBase64(string publicKeyPem, string plaintext)
    {
        using var rsa = RSA.Create();
        rsa.ImportFromPem(publicKeyPem);
        return Convert.ToBase64String(rsa.Encrypt(Encoding.UTF8.GetBytes(plaintext), RSAEncryptionPadding.Pkcs1));
    }

    private static RSAParameters ReadOpenSshRsa(byte[] blob)
    {
        var offset = 0;
        var type = Encoding.ASCII.GetString(ReadString(blob, ref offset));
        if (type != "ssh-rsa")
        {
            throw new FormatException($"Key type '{type}' is not ssh-rsa.");
        }

        var exponent = TrimLeadingZero(ReadString(blob, ref offset));
        var modulus = TrimLeadingZero(ReadString(blob, ref offset));
        return new RSAParameters { Exponent = exponent, Modulus = modulus };
    }

    private static byte[] ReadString(byte[] blob, ref int offset)
    {
        var length = (int)BinaryPrimitives.ReadUInt32BigEndian(blob.AsSpan(offset, 4));
        offset += 4;
        if (length < 0 || offset + length > blob.Length)
        {
            throw new FormatException("Truncated OpenSSH key blob.");
        }

        var value = blob.AsSpan(offset, length).ToArray();
        offset += length;
        return value;
    }

    private static byte[] TrimLeadingZero(byte[] mpint) => mpint.Length > 1 && mpint[0] == 0 ? mpint[1..] : mpint;

    private static string ColonHex(byte[] hash) => string.Join(':', hash.Select(b => b.ToString("x2", System.Globalization.CultureInfo.InvariantCulture)));
}
