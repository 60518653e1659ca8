using System.CommandLine;
using Amazon.S3;
using Amazon.S3.Model;
using OrleansEc2.Bundling;
using OrleansEc2.Cli.Output;
using OrleansEc2.Cli.Service;
using Spectre.Console;

namespace OrleansEc2.Cli.Commands;

/// <summary>
/// <c>ec2-upload-bundle -b BUCKET[/PREFIX] -m MANIFEST</c>: uploads a local bundle's parts, then its manifest, to S3 with
/// a canned ACL, creating the bucket when missing, with the AMI tools' flags and lines. Every part to upload is checked
/// against the manifest's SHA-1 first, and sent with that SHA-1 for S3 to check again.
/// </summary>
internal sealed class UploadBundleCommand : ServiceCommand
{
    public const string CommandName = "ec2-upload-bundle";
    private const string DefaultAcl = "aws-exec-read";

    private static readonly Option<string> BucketOption = BundleStorage.BucketOption("The bucket to upload the bundle to, with an optional '/'-delimited key prefix.");

    private static readonly Option<string> ManifestOption = new("--manifest", "-m")
    {
        Description = "The path to the bundle's manifest file.",
        HelpName = "MANIFEST",
        Required = true,
    };

    private static readonly Option<string> AccessKeyOption = BundleStorage.AccessKeyOption();

    private static readonly Option<string> SecretKeyOption = BundleStorage.SecretKeyOption();

    private static readonly Option<string> AclOption = CreateAclOption();

    private static readonly Option<string> LocationOption = new("--location")
    {
        Description = "Where to create a missing bucket: a legacy location (US, EU) or a region name. An existing bucket must be there. Default: the region (--region).",
        HelpName = "LOCATION",
    };

    private static readonly Option<string> DirectoryOption = new("--directory", "-d")
    {
        Description = "The directory containing the bundle's parts. Default: the manifest's directory.",
        HelpName = "DIRECTORY",
    };

    private static readonly Option<int?> PartOption = new("--part")
    {
        Description = "Start uploading with this part (by index, such as 04) and upload the ones after it.",
        HelpName = "PART",
    };

    private static readonly Option<bool> RetryOption = BundleStorage.RetryOption();

    private static readonly Option<bool> SkipManifestOption = new("--skipmanifest")
    {
        Description = "Do not upload the manifest.",
    };

    public UploadBundleCommand(CliConsole console)
        : base(CommandName, "Upload a bundle's parts and manifest to S3 (creating the bucket when missing).", console)
    {
        AddShortAlias();
        Options.Add(BucketOption);
        Options.Add(ManifestOption);
        Options.Add(AccessKeyOption);
        Options.Add(SecretKeyOption);
        Options.Add(AclOption);
        Options.Add(LocationOption);
        Options.Add(DirectoryOption);
        Options.Add(PartOption);
        Options.Add(RetryOption);
        Options.Add(SkipManifestOption);
    }

    public override string Usage =>
        "ec2sim ec2-upload-bundle -b BUCKET[/PREFIX] -m MANIFEST [-a ACCESS_KEY -s SECRET_KEY] [--acl aws-exec-read|public-read] "
        + "[--location LOCATION] [-d DIRECTORY] [--part N] [--retry] [--skipmanifest] [--url URL]";

    protected override (string? AccessKeyId, string? Secret)? CommandCredentials(ParseResult parseResult) =>
        BundleStorage.Credentials(parseResult.GetValue(AccessKeyOption), parseResult.GetValue(SecretKeyOption));

    protected override async Task<int> RunAsync(ParseResult parseResult, Ec2SimSession session, RecordOutput output, CancellationToken cancellationToken)
    {
        var location = BundleLocation.Parse(parseResult.GetRequiredValue(BucketOption));
        var manifestPath = ExistingFile(parseResult.GetRequiredValue(ManifestOption));
        var manifest = BundleStorage.ParseManifest(await File.ReadAllTextAsync(manifestPath, cancellationToken), manifestPath);
        var directory = parseResult.GetValue(DirectoryOption) is { } d ? ExistingDirectory(d) : Path.GetDirectoryName(manifestPath)!;
        var acl = parseResult.GetValue(AclOption) ?? DefaultAcl;
        var firstPart = parseResult.GetValue(PartOption) ?? 0;
        var parts = manifest.Parts.OrderBy(p => p.Index).ToList();
        if (firstPart < 0 || (parts.Count > 0 && firstPart > parts[^1].Index))
        {
            throw CliException.Usage($"Invalid value for --part: {firstPart} (the manifest's parts are 0 to {parts.Count - 1}).");
        }

        // Every part is checked before anything is uploaded: a bundle that is missing a part or has a corrupt one
        // leaves S3 as it was.
        var digests = new Dictionary<int, string>();
        foreach (var part in parts.Where(p => p.Index >= firstPart))
        {
            digests[part.Index] = await BundleStorage.CheckPartFileAsync(part, directory, cancellationToken);
        }

        var retries = parseResult.GetValue(RetryOption) ? BundleStorage.RetriesWithRetryOption : 0;
        var s3 = await PrepareBucketAsync(session, location.Bucket, parseResult.GetValue(LocationOption), retries, cancellationToken);

        Console.Out.WriteLine($"Uploading bundled image parts to the S3 bucket {location.Bucket} ...");
        foreach (var part in parts)
        {
            if (part.Index < firstPart)
            {
                Console.Out.WriteLine($"Skipping {part.FileName}");
                continue;
            }

            await s3.PutObjectAsync(
                new PutObjectRequest
                {
                    BucketName = location.Bucket,
                    Key = location.KeyOf(part.FileName),
                    FilePath = Path.Combine(directory, part.FileName),
                    CannedACL = new S3CannedACL(acl),
                    ChecksumSHA1 = digests[part.Index],
                },
                cancellationToken);
            Console.Out.WriteLine($"Uploaded {part.FileName}");
        }

        if (!parseResult.GetValue(SkipManifestOption))
        {
            Console.Out.WriteLine("Uploading manifest ...");
            await s3.PutObjectAsync(
                new PutObjectRequest
                {
                    BucketName = location.Bucket,
                    Key = location.KeyOf(Path.GetFileName(manifestPath)),
                    FilePath = manifestPath,
                    CannedACL = new S3CannedACL(acl),
                    ContentType = "text/xml",
                },
                cancellationToken);
            Console.Out.WriteLine("Uploaded manifest.");
        }

        Console.Out.WriteLine("Bundle upload completed.");
        return ExitCodes.Success;
    }

    /// <summary>
    /// A client for the bucket's region: an existing bucket of the caller's must be in the region <c>--location</c>
    /// names (when it names one); a missing one is created there ("Creating bucket..."), by default in the command's region.
    /// </summary>
    private async Task<AmazonS3Client> PrepareBucketAsync(Ec2SimSession session, string bucket, string? location, int retries, CancellationToken cancellationToken)
    {
        var existing = await BundleStorage.OwnBucketRegionAsync(session, bucket, cancellationToken);
        var (region, constraint) = RegionOf(location ?? session.Settings.Region);
        if (existing is not null)
        {
            if (location is not null && existing != region)
            {
                throw new CliException(
                    ExitCodes.Failure,
                    $"The bucket {bucket} is in {existing}, not in the location {location} ({region}) given with --location.");
            }

            return session.S3(existing, retries);
        }

        var s3 = session.S3(region, retries);
        Console.Out.WriteLine("Creating bucket...");
        await s3.PutBucketAsync(
            new PutBucketRequest { BucketName = bucket, BucketRegionName = constraint, UseClientRegion = false },
            cancellationToken);
        return s3;
    }

    /// <summary>
    /// The region a location names and the LocationConstraint that creates a bucket there: <c>US</c> (S3's classic
    /// location, the silo's us-east-1) is no constraint; <c>EU</c> is sent as it is, the silo mapping it to the region
    /// its configuration gives that legacy location (eu-west-1, as S3); a region name is itself.
    /// </summary>
    private static (string Region, string? Constraint) RegionOf(string location) => location switch
    {
        "US" or "us-east-1" => ("us-east-1", null),
        "EU" => ("eu-west-1", "EU"),
        _ when location.Length > 0 && location.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c == '-') => (location, location),
        _ => throw CliException.Usage($"Invalid value for --location: '{location}' is neither US, EU nor a region name such as eu-west-1."),
    };

    private static Option<string> CreateAclOption()
    {
        var option = new Option<string>("--acl")
        {
            Description = $"The canned ACL of the uploaded parts and manifest. Default: {DefaultAcl} (EC2 may read the bundle).",
            HelpName = "ACL",
        };
        option.AcceptOnlyFromAmong("aws-exec-read", "public-read");
        return option;
    }
}
