using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace OrleansEc2;

/// <summary>
/// What S3 POST policies share wherever they are read: the upload policy BundleInstance carries is one, and a browser
/// form posts with one. The original (signature version 2) signature is base64(HMAC-SHA1(secret access key, the base64
/// policy text)).
/// </summary>
public static class PostPolicies
{
    private static readonly string[] ExpirationFormats =
    [
        "yyyy-MM-dd'T'HH:mm:ss'Z'",
        "yyyy-MM-dd'T'HH:mm:ss.FFFFFFF'Z'",
    ];

    /// <summary>A policy's <c>expiration</c>: an ISO 8601 UTC time, with or without fractions of a second.</summary>
    public static bool TryParseExpiration(string text, out DateTimeOffset expiration) =>
        DateTimeOffset.TryParseExact(text, ExpirationFormats, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out expiration);

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
