using System.CommandLine;
using System.Security.Cryptography;
using Amazon.S3;
using Amazon.S3.Model;
using OrleansEc2.Bundling;
using OrleansEc2.Cli.Service;

namespace OrleansEc2.Cli.Commands;

/// <summary>Where a bundle is in S3, from the AMI tools' <c>-b BUCKET[/PREFIX]</c>: the bucket and the key prefix of its objects.</summary>
internal sealed record BundleLocation(string Bucket, string KeyPrefix)
{
    public static BundleLocation Parse(string value)
    {
        var text = value.Trim().Trim('/');
        var slash = text.IndexOf('/');
        var bucket = slash < 0 ? text : text[..slash];
        var prefix = slash < 0 ? "" : text[(slash + 1)..].Trim('/');
        if (bucket.Length == 0 || prefix.Contains("//", StringComparison.Ordinal))
        {
            throw CliException.Usage($"Invalid value for --bucket: '{value}' is not BUCKET or BUCKET/PREFIX.");
        }

        return new BundleLocation(bucket, prefix.Length == 0 ? "" : prefix + "/");
    }

    /// <summary>The bucket and its key prefix as the tools print it (<c>mybucket/bundles/one</c>).</summary>
    public string Display => KeyPrefix.Length == 0 ? Bucket : Bucket + "/" + KeyPrefix.TrimEnd('/');

    public string KeyOf(string fileName) => KeyPrefix + fileName;
}

/// <summary>
/// What <c>ec2-upload-bundle</c>, <c>ec2-download-bundle</c> and <c>ec2-delete-bundle</c> share: the AMI tools' own
/// <c>-a</c>/<c>-s</c> credentials (taking the place of <c>-O</c>/<c>-W</c>), <c>--retry</c>, the bucket's region, and the
/// part digest check.
/// </summary>
internal static class BundleStorage
{
    /// <summary>What <c>--retry</c> gives: "up to five times per operation", as the AMI tools did; none without it.</summary>
    public const int RetriesWithRetryOption = 5;

    public static Option<string> BucketOption(string description) => new("--bucket", "-b")
    {
        Description = description,
        HelpName = "BUCKET[/PREFIX]",
        Required = true,
    };

    public static Option<string> AccessKeyOption() => new("--access-key", "-a")
    {
        Description = "The AWS access key ID (in the place of -O). Default: ec2sim's credentials (-O, AWS_ACCESS_KEY_ID, the config file).",
        HelpName = "ACCESS_KEY",
    };

    public static Option<string> SecretKeyOption() => new("--secret-key", "-s")
    {
        Description = "The AWS secret access key (in the place of -W). Default: ec2sim's credentials.",
        HelpName = "SECRET_KEY",
    };

    public static Option<bool> RetryOption() => new("--retry")
    {
        Description = "Retry on S3 errors, up to five times per operation.",
    };

    /// <summary>The <c>-a</c>/<c>-s</c> pair, or null when neither is given (then <c>-O</c>/<c>-W</c> and the other places decide).</summary>
    public static (string? AccessKeyId, string? Secret)? Credentials(string? accessKeyId, string? secret) => (accessKeyId, secret) switch
    {
        (null, null) => null,
        (not null, not null) => (accessKeyId, secret),
        _ => throw CliException.Usage("Incomplete AWS credentials: -a/--access-key and -s/--secret-key go together; only one of them is set."),
    };

    /// <summary>The region of a bucket of the caller's, or null when the caller owns no bucket of that name.</summary>
    public static async Task<string?> OwnBucketRegionAsync(Ec2SimSession session, string bucket, CancellationToken cancellationToken)
    {
        var s3 = session.S3(session.Settings.Region, maxErrorRetry: 2);
        string? token = null;
        do
        {
            var page = await s3.ListBucketsAsync(new ListBucketsRequest { Prefix = bucket, ContinuationToken = token }, cancellationToken);
            if (page.Buckets?.FirstOrDefault(b => b.BucketName == bucket) is { } found)
            {
                return string.IsNullOrEmpty(found.BucketRegion) ? "us-east-1" : found.BucketRegion;
            }

            token = page.ContinuationToken;
        }
        while (!string.IsNullOrEmpty(token));

        return null;
    }

    /// <summary>
    /// A client for the bucket: signing for its region when it is the caller's, else for the command's region (S3 then
    /// says what is wrong: NoSuchBucket, AccessDenied).
    /// </summary>
    public static async Task<AmazonS3Client> ClientForBucketAsync(Ec2SimSession session, string bucket, bool retry, CancellationToken cancellationToken)
    {
        var region = await OwnBucketRegionAsync(session, bucket, cancellationToken) ?? session.Settings.Region;
        return session.S3(region, retry ? RetriesWithRetryOption : 0);
    }

    /// <summary>A part's file in <paramref name="directory"/>, checked against the manifest's SHA-1; its digest as base64 for S3.</summary>
    public static async Task<string> CheckPartFileAsync(ManifestPart part, string directory, CancellationToken cancellationToken)
    {
        var path = PartPath(part, directory);
        if (!File.Exists(path))
        {
            throw new CliException(ExitCodes.Failure, $"Part {part.FileName} is missing: {path} does not exist.");
        }

        await using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1 << 16, useAsync: true);
        var digest = await SHA1.HashDataAsync(stream, cancellationToken);
        CheckDigest(part, digest);
        return Convert.ToBase64String(digest);
    }

    /// <summary>Where a part named by a manifest goes under <paramref name="directory"/>: only a plain file name is taken.</summary>
    public static string PartPath(ManifestPart part, string directory) =>
        PartNames.IsPlainFileName(part.FileName)
            ? Path.Combine(directory, part.FileName)
            : throw new CliException(ExitCodes.Failure, $"The manifest names part {part.Index} '{part.FileName}', which is not a plain file name.");

    public static void CheckDigest(ManifestPart part, byte[] digest)
    {
        var actual = Convert.ToHexStringLower(digest);
        if (!string.Equals(actual, part.Digest, StringComparison.OrdinalIgnoreCase))
        {
            throw new CliException(
                ExitCodes.Failure,
                $"Part {part.FileName} (index {part.Index}) is corrupt: its SHA-1 is {actual} but the manifest says {part.Digest}.");
        }
    }

    /// <summary>A manifest's text, parsed; a clear error naming where it came from when it is not one.</summary>
    public static Manifest ParseManifest(string text, string source)
    {
        if (!text.TrimStart().StartsWith('<'))
        {
            // The AMI tools before 2007 uploaded the manifest encrypted with the user's key; no bundle here is one.
            throw new CliException(ExitCodes.Failure, $"{source} is not a manifest: it is not XML (an encrypted manifest of the pre-2007 AMI tools is not supported).");
        }

        try
        {
            return Manifest.Parse(text);
        }
        catch (BundleException e)
        {
            throw new CliException(ExitCodes.Failure, $"{source} is not a valid manifest: {e.Message}");
        }
    }
}
