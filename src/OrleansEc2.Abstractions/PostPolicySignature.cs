using System.Security.Cryptography;
using System.Text;

namespace OrleansEc2;

/// <summary>
/// The original (signature version 2) signature of an S3 POST policy: base64(HMAC-SHA1(secret access key, the base64
/// policy text)). The upload policy BundleInstance carries is signed so, and so is a browser form that posts with it.
/// </summary>
public static class PostPolicySignature
{
    public static string Sign(string policyBase64, string secretAccessKey) => Convert.ToBase64String(Compute(policyBase64, secretAccessKey));

    /// <summary>Whether <paramref name="signature"/> (surrounding white space ignored) signs the policy, compared in fixed time.</summary>
    public static bool Matches(string policyBase64, string? signature, string secretAccessKey)
    {
        var expected = Compute(policyBase64, secretAccessKey);
        var given = new byte[expected.Length + 3];
        return Convert.TryFromBase64String((signature ?? "").Trim(), given, out var length)
            && length == expected.Length
            && CryptographicOperations.FixedTimeEquals(given.AsSpan(0, length), expected);
    }

    private static byte[] Compute(string policyBase64, string secretAccessKey) =>
        HMACSHA1.HashData(Encoding.UTF8.GetBytes(secretAccessKey), Encoding.UTF8.GetBytes(policyBase64));
}
