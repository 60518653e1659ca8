using System.Numerics;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace OrleansEc2.Bundling;

/// <summary>
/// Checks a manifest the way EC2 did at registration and launch: the user's signature, that a region (or the user)
/// can unseal the image key, and the parts' digests.
/// </summary>
public static class ManifestVerifier
{
    // DER DigestInfo prefix for SHA-1 in an RSASSA-PKCS1-v1_5 signature block (RFC 8017, 9.2 note 1).
    private static readonly byte[] Sha1DigestInfoPrefix = [0x30, 0x21, 0x30, 0x09, 0x06, 0x05, 0x2b, 0x0e, 0x03, 0x02, 0x1a, 0x05, 0x00, 0x04, 0x14];

    /// <summary>
    /// Checks the manifest's RSA-SHA1 signature against the user's certificate, over the signed text exactly as stored.
    /// Throws <see cref="BundleException"/>: <see cref="BundleError.SignatureMismatch"/> when the user's key signed
    /// other content (the manifest was changed), <see cref="BundleError.WrongSigningKey"/> when another key signed it.
    /// </summary>
    public static void VerifySignature(Manifest manifest, X509Certificate2 userCertificate)
    {
        if (manifest.SignedText is null)
        {
            throw new BundleException(BundleError.InvalidManifest, "The manifest was not read from text, so there is nothing signed to check.") { Field = "signature" };
        }

        using var publicKey = PemKeys.GetRsaPublicKey(userCertificate);
        var signature = Convert.FromHexString(manifest.Signature);
        var content = Encoding.UTF8.GetBytes(manifest.SignedText);
        if (publicKey.VerifyData(content, signature, HashAlgorithmName.SHA1, RSASignaturePadding.Pkcs1))
        {
            return;
        }

        if (IsSignatureBlockOf(publicKey, signature))
        {
            throw new BundleException(
                BundleError.SignatureMismatch,
                "The manifest signature does not match its content: the machine_configuration or image element was changed after the user signed it.")
            { Field = "signature" };
        }

        throw new BundleException(
            BundleError.WrongSigningKey,
            $"The manifest was not signed by the user's certificate ({userCertificate.Subject}): it was signed with another private key.")
        { Field = "signature" };
    }

    /// <summary>
    /// Unseals the image key with a region's EC2 private key. Throws <see cref="BundleException"/>
    /// (<see cref="BundleError.KeyNotSealedForRegion"/>) naming the region when the bundle was sealed for another one.
    /// </summary>
    public static BundleKey UnsealForRegion(Manifest manifest, RSA ec2PrivateKey, string region)
    {
        if (KeySealing.TryUnseal(manifest.Ec2EncryptedKey, ec2PrivateKey, out var key)
            && KeySealing.TryUnseal(manifest.Ec2EncryptedIv, ec2PrivateKey, out var iv))
        {
            return new BundleKey(key, iv);
        }

        throw new BundleException(
            BundleError.KeyNotSealedForRegion,
            $"The image key of {manifest.FileName} is not sealed for region {region}: it was bundled for another region's EC2 certificate. Migrate the image to {region} first.")
        { Field = "image/ec2_encrypted_key" };
    }

    /// <summary>Unseals the image key with the user's private key (what <c>ec2-unbundle</c> and migration do).</summary>
    public static BundleKey UnsealForUser(Manifest manifest, RSA userPrivateKey)
    {
        if (KeySealing.TryUnseal(manifest.UserEncryptedKey, userPrivateKey, out var key)
            && KeySealing.TryUnseal(manifest.UserEncryptedIv, userPrivateKey, out var iv))
        {
            return new BundleKey(key, iv);
        }

        throw new BundleException(
            BundleError.KeyNotSealedForUser,
            $"The private key cannot unseal the image key of {manifest.FileName}: it is not the key of the user who bundled it.")
        { Field = "image/user_encrypted_key" };
    }

    /// <summary>Unseals with whichever copy <paramref name="privateKey"/> opens: the user's first, then the EC2 one.</summary>
    public static BundleKey Unseal(Manifest manifest, RSA privateKey)
    {
        if (KeySealing.TryUnseal(manifest.UserEncryptedKey, privateKey, out var key)
            && KeySealing.TryUnseal(manifest.UserEncryptedIv, privateKey, out var iv))
        {
            return new BundleKey(key, iv);
        }

        if (KeySealing.TryUnseal(manifest.Ec2EncryptedKey, privateKey, out key)
            && KeySealing.TryUnseal(manifest.Ec2EncryptedIv, privateKey, out iv))
        {
            return new BundleKey(key, iv);
        }

        throw new BundleException(
            BundleError.KeyNotSealedForUser,
            $"The private key cannot unseal the image key of {manifest.FileName}: it is neither the bundling user's key nor the EC2 key it was sealed for.")
        { Field = "image/user_encrypted_key" };
    }

    /// <summary>
    /// Reads every part and checks its SHA-1 against the manifest, and that they add up to <c>bundled_size</c>.
    /// Throws <see cref="BundleException"/> naming the first missing or bad part.
    /// </summary>
    public static async Task<IReadOnlyList<BundlePart>> VerifyPartsAsync(Manifest manifest, IPartSource source, CancellationToken cancellationToken = default)
    {
        var parts = new List<BundlePart>(manifest.Parts.Count);
        var buffer = new byte[1 << 20];
        long total = 0;
        foreach (var part in manifest.Parts)
        {
            await using var stream = await OpenPartAsync(source, part, cancellationToken);
            using var sha1 = IncrementalHash.CreateHash(HashAlgorithmName.SHA1);
            long size = 0;
            int read;
            while ((read = await stream.ReadAsync(buffer, cancellationToken)) > 0)
            {
                sha1.AppendData(buffer, 0, read);
                size += read;
            }

            var digest = Convert.ToHexStringLower(sha1.GetHashAndReset());
            CheckPartDigest(part, digest);
            parts.Add(new BundlePart(part.Index, part.FileName, size, digest));
            total += size;
        }

        CheckBundledSize(manifest, total);
        return parts;
    }

    internal static async Task<Stream> OpenPartAsync(IPartSource source, ManifestPart part, CancellationToken cancellationToken)
    {
        try
        {
            return await source.OpenPartAsync(part.FileName, cancellationToken);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new BundleException(BundleError.PartMissing, $"Part {part.FileName} (index {part.Index}) is missing.", e) { PartFileName = part.FileName };
        }
    }

    internal static void CheckPartDigest(ManifestPart part, string actualDigest)
    {
        if (!string.Equals(actualDigest, part.Digest, StringComparison.Ordinal))
        {
            throw new BundleException(
                BundleError.PartDigestMismatch,
                $"Part {part.FileName} (index {part.Index}) is corrupt: its SHA-1 is {actualDigest} but the manifest says {part.Digest}.")
            { PartFileName = part.FileName, Field = $"image/parts/part[{part.Index}]/digest" };
        }
    }

    internal static void CheckBundledSize(Manifest manifest, long actual)
    {
        if (actual != manifest.BundledSize)
        {
            throw new BundleException(
                BundleError.BundledSizeMismatch,
                $"The parts of {manifest.FileName} add up to {actual} bytes but the manifest's bundled_size is {manifest.BundledSize}.")
            { Field = "image/bundled_size" };
        }
    }

    // Opens the signature with the public key (s^e mod n): if it is a well-formed PKCS#1 v1.5 SHA-1 block, this key made
    // it and the signed content changed; otherwise another key made it. Only used to word the error.
    private static bool IsSignatureBlockOf(RSA publicKey, byte[] signature)
    {
        var parameters = publicKey.ExportParameters(includePrivateParameters: false);
        var modulus = new BigInteger(parameters.Modulus, isUnsigned: true, isBigEndian: true);
        var exponent = new BigInteger(parameters.Exponent, isUnsigned: true, isBigEndian: true);
        var s = new BigInteger(signature, isUnsigned: true, isBigEndian: true);
        if (signature.Length != parameters.Modulus!.Length || s >= modulus)
        {
            return false;
        }

        var block = BigInteger.ModPow(s, exponent, modulus).ToByteArray(isUnsigned: true, isBigEndian: true);
        var k = parameters.Modulus.Length;
        var em = new byte[k];
        block.CopyTo(em, k - block.Length);

        var digestInfoStart = k - Sha1DigestInfoPrefix.Length - 20;
        if (em[0] != 0 || em[1] != 1 || digestInfoStart < 11 || em[digestInfoStart - 1] != 0)
        {
            return false;
        }

        for (var i = 2; i < digestInfoStart - 1; i++)
        {
            if (em[i] != 0xff)
            {
                return false;
            }
        }

        return em.AsSpan(digestInfoStart, Sha1DigestInfoPrefix.Length).SequenceEqual(Sha1DigestInfoPrefix);
    }
}
