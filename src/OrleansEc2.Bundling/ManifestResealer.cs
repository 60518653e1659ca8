using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace OrleansEc2.Bundling;

/// <summary>
/// Migration of a bundle to another region: the image key is unsealed with the user's private key, sealed again to the
/// destination region's EC2 certificate, and the manifest signed again by the user. The parts are untouched.
/// </summary>
public static class ManifestResealer
{
    /// <summary>
    /// Returns the text of the re-sealed manifest. Refuses a manifest whose signature does not verify against the
    /// user's certificate, and a private key that is not the certificate's.
    /// </summary>
    public static string Reseal(string manifestXml, X509Certificate2 userCertificate, RSA userPrivateKey, X509Certificate2 destinationEc2Certificate)
    {
        var manifest = Manifest.Parse(manifestXml);
        ManifestVerifier.VerifySignature(manifest, userCertificate);
        var key = ManifestVerifier.UnsealForUser(manifest, userPrivateKey);

        var resealed = ManifestSerializer.SerializeAndSign(
            manifest with
            {
                Ec2EncryptedKey = KeySealing.Seal(key.Key, destinationEc2Certificate),
                Ec2EncryptedIv = KeySealing.Seal(key.Iv, destinationEc2Certificate),
            },
            userPrivateKey);

        try
        {
            ManifestVerifier.VerifySignature(resealed, userCertificate);
        }
        catch (BundleException e)
        {
            throw new BundleException(BundleError.InvalidKeyMaterial, "The private key does not belong to the user's certificate, so it cannot sign the re-sealed manifest.", e);
        }

        return resealed.Text!;
    }
}
