using System.Security.Cryptography;

namespace OrleansEc2.Bundling;

/// <summary>
/// The AES-128-CBC key and IV that encrypt one bundle. The manifest carries them sealed (RSA PKCS#1 v1.5) to the
/// region's EC2 certificate and to the user's certificate; what is sealed is their lowercase hex text, as the classic
/// AMI tools did, so <c>openssl pkeyutl -decrypt</c> yields what <c>openssl enc -K/-iv</c> takes.
/// </summary>
public sealed class BundleKey
{
    public const int Length = 16;

    private readonly byte[] _key;
    private readonly byte[] _iv;

    public BundleKey(ReadOnlySpan<byte> key, ReadOnlySpan<byte> iv)
    {
        if (key.Length != Length || iv.Length != Length)
        {
            throw new ArgumentException($"An AES-128-CBC bundle key and IV are {Length} bytes each.");
        }

        _key = key.ToArray();
        _iv = iv.ToArray();
    }

    /// <summary>A fresh random key and IV.</summary>
    public static BundleKey CreateRandom() =>
        new(RandomNumberGenerator.GetBytes(Length), RandomNumberGenerator.GetBytes(Length));

    public ReadOnlySpan<byte> Key => _key;

    public ReadOnlySpan<byte> Iv => _iv;

    /// <summary>The key as lowercase hex, the form that is sealed into the manifest and passed to <c>openssl enc -K</c>.</summary>
    public string KeyHex => Convert.ToHexStringLower(_key);

    /// <summary>The IV as lowercase hex, the form that is sealed into the manifest and passed to <c>openssl enc -iv</c>.</summary>
    public string IvHex => Convert.ToHexStringLower(_iv);
}
