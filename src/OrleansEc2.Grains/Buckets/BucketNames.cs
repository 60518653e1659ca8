using System.Net;
using System.Text.RegularExpressions;

namespace OrleansEc2.Grains.Buckets;

/// <summary>The two naming rules a bucket can be created under.</summary>
public static partial class BucketNames
{
    private static readonly string[] ReservedPrefixes = ["xn--", "sthree-", "amzn-s3-demo-"];

    private static readonly string[] ReservedSuffixes = ["-s3alias", "--ol-s3", ".mrap", "--x-s3", "--table-s3"];

    /// <summary>
    /// S3's rule for CreateBucket: 3–63 characters of lowercase letters, digits, dots and hyphens, starting and ending
    /// with a letter or digit, no two adjacent dots, not an IPv4 address, no reserved prefix or suffix.
    /// </summary>
    public static void ValidateS3(string name)
    {
        if (ExplainS3(name) is { } reason)
        {
            throw Invalid(name, reason);
        }
    }

    /// <summary>The legacy rule EC2's BundleInstance accepts (US Standard buckets): <c>^[a-zA-Z\d\.\-_]{3,255}$</c>.</summary>
    public static void ValidateLegacy(string name)
    {
        if (name is null || !LegacyName().IsMatch(name))
        {
            throw Invalid(name, "it must be 3 to 255 letters, digits, dots, hyphens or underscores");
        }
    }

    private static string? ExplainS3(string? name)
    {
        if (name is null || name.Length is < 3 or > 63)
        {
            return "it must be between 3 and 63 characters long";
        }

        if (!S3Characters().IsMatch(name))
        {
            return "it can contain only lowercase letters, digits, dots and hyphens";
        }

        if (!char.IsAsciiLetterOrDigit(name[0]) || !char.IsAsciiLetterOrDigit(name[^1]))
        {
            return "it must begin and end with a letter or digit";
        }

        if (name.Contains("..", StringComparison.Ordinal))
        {
            return "it must not contain two adjacent dots";
        }

        if (IPv4Shape().IsMatch(name) && IPAddress.TryParse(name, out _))
        {
            return "it must not be formatted as an IP address";
        }

        if (ReservedPrefixes.FirstOrDefault(p => name.StartsWith(p, StringComparison.Ordinal)) is { } prefix)
        {
            return $"it must not start with '{prefix}'";
        }

        if (ReservedSuffixes.FirstOrDefault(s => name.EndsWith(s, StringComparison.Ordinal)) is { } suffix)
        {
            return $"it must not end with '{suffix}'";
        }

        return null;
    }

    private static Ec2Exception Invalid(string? name, string reason) =>
        new(Ec2ErrorCodes.InvalidBucketName, $"The specified bucket is not valid: '{name}' ({reason}).");

    [GeneratedRegex(@"^[a-z0-9.\-]+$")]
    private static partial Regex S3Characters();

    [GeneratedRegex(@"^\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}$")]
    private static partial Regex IPv4Shape();

    [GeneratedRegex(@"^[a-zA-Z0-9.\-_]{3,255}$")]
    private static partial Regex LegacyName();
}
