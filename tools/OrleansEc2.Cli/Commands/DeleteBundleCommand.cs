using System.CommandLine;
using System.Text;
using Amazon.S3.Model;
using OrleansEc2.Cli.Output;
using OrleansEc2.Cli.Service;
using Spectre.Console;

namespace OrleansEc2.Cli.Commands;

/// <summary>
/// <c>ec2-delete-bundle -b BUCKET[/PREFIX] (-p PREFIX | -m MANIFEST) [-y] [--clear]</c>: deletes a bundle's manifest
/// and exactly the parts it names, after listing them and asking (unless <c>-y</c>), with the AMI tools' lines;
/// <c>--clear</c> then deletes the bucket when nothing is left in it.
/// </summary>
internal sealed class DeleteBundleCommand : ServiceCommand
{
    public const string CommandName = "ec2-delete-bundle";
    private const string Prompt = "Continue? [y/n]";

    private static readonly Option<string> BucketOption = BundleStorage.BucketOption("The bucket the bundle is in, with an optional '/'-delimited key prefix.");

    private static readonly Option<string> PrefixOption = new("--prefix", "-p")
    {
        Description = "The bundle's whole file name prefix (image.img for image.img.manifest.xml): its manifest in the bucket names the parts.",
        HelpName = "PREFIX",
    };

    private static readonly Option<string> ManifestOption = new("--manifest", "-m")
    {
        Description = "The path to a local copy of the bundle's manifest, which names the objects to delete.",
        HelpName = "MANIFEST",
    };

    private static readonly Option<string> AccessKeyOption = BundleStorage.AccessKeyOption();

    private static readonly Option<string> SecretKeyOption = BundleStorage.SecretKeyOption();

    private static readonly Option<bool> YesOption = new("--yes", "-y")
    {
        Description = "Assume yes: delete without asking.",
    };

    private static readonly Option<bool> ClearOption = new("--clear")
    {
        Description = "Delete the bucket too when it is empty after the bundle is deleted.",
    };

    private static readonly Option<bool> RetryOption = BundleStorage.RetryOption();

    public DeleteBundleCommand(CliConsole console)
        : base(CommandName, "Delete a bundle's manifest and parts from S3.", console)
    {
        AddShortAlias();
        Options.Add(BucketOption);
        Options.Add(PrefixOption);
        Options.Add(ManifestOption);
        Options.Add(AccessKeyOption);
        Options.Add(SecretKeyOption);
        Options.Add(YesOption);
        Options.Add(ClearOption);
        Options.Add(RetryOption);
    }

    public override string Usage =>
        "ec2sim ec2-delete-bundle -b BUCKET[/PREFIX] (-p PREFIX | -m MANIFEST) [-a ACCESS_KEY -s SECRET_KEY] [-y] [--clear] [--retry] [--url URL]";

    protected override (string? AccessKeyId, string? Secret)? CommandCredentials(ParseResult parseResult) =>
        BundleStorage.Credentials(parseResult.GetValue(AccessKeyOption), parseResult.GetValue(SecretKeyOption));

    protected override async Task<int> RunAsync(ParseResult parseResult, Ec2SimSession session, RecordOutput output, CancellationToken cancellationToken)
    {
        var location = BundleLocation.Parse(parseResult.GetRequiredValue(BucketOption));
        var prefix = parseResult.GetValue(PrefixOption);
        var localManifest = parseResult.GetValue(ManifestOption);
        if ((prefix is null) == (localManifest is null))
        {
            throw CliException.Usage("Give either --prefix or --manifest (exactly one).");
        }

        var s3 = await BundleStorage.ClientForBucketAsync(session, location.Bucket, parseResult.GetValue(RetryOption), cancellationToken);
        var (manifestName, manifest) = localManifest is not null
            ? await ReadLocalManifestAsync(localManifest, cancellationToken)
            : await ReadBucketManifestAsync(s3, location, DownloadBundleCommand.ManifestName(prefix, null), cancellationToken);

        var keys = new List<string> { location.KeyOf(manifestName) };
        keys.AddRange(manifest.Parts.OrderBy(p => p.Index).Select(p => location.KeyOf(p.FileName)));
        Console.Out.WriteLine("Deleting files:");
        foreach (var key in keys)
        {
            Console.Out.WriteLine($"{location.Bucket}/{key}");
        }

        if (!parseResult.GetValue(YesOption) && !await ConfirmAsync(cancellationToken))
        {
            Console.Out.WriteLine("Nothing deleted.");
            return ExitCodes.Success;
        }

        foreach (var key in keys)
        {
            await s3.DeleteObjectAsync(new DeleteObjectRequest { BucketName = location.Bucket, Key = key }, cancellationToken);
            Console.Out.WriteLine($"Deleted {location.Bucket}/{key}");
        }

        if (parseResult.GetValue(ClearOption))
        {
            var left = await s3.ListObjectsV2Async(new ListObjectsV2Request { BucketName = location.Bucket, MaxKeys = 1 }, cancellationToken);
            if (left.S3Objects is null or { Count: 0 })
            {
                await s3.DeleteBucketAsync(new DeleteBucketRequest { BucketName = location.Bucket }, cancellationToken);
                Console.Out.WriteLine($"Deleted bucket {location.Bucket}");
            }
            else
            {
                Console.Out.WriteLine($"Bucket {location.Bucket} is not empty: not deleted.");
            }
        }

        Console.Out.WriteLine($"{CommandName} complete.");
        return ExitCodes.Success;
    }

    private async Task<bool> ConfirmAsync(CancellationToken cancellationToken)
    {
        Console.Out.WriteLine(Prompt);
        var answer = (await Console.In.ReadLineAsync(cancellationToken))?.Trim();
        return answer switch
        {
            null => throw new CliException(
                ExitCodes.Failure,
                $"No answer to '{Prompt}': standard input is closed (not interactive). Give -y/--yes to delete without asking."),
            _ => answer.Equals("y", StringComparison.OrdinalIgnoreCase) || answer.Equals("yes", StringComparison.OrdinalIgnoreCase),
        };
    }

    private async Task<(string Name, Bundling.Manifest Manifest)> ReadLocalManifestAsync(string path, CancellationToken cancellationToken)
    {
        var full = ExistingFile(path);
        return (Path.GetFileName(full), BundleStorage.ParseManifest(await File.ReadAllTextAsync(full, cancellationToken), full));
    }

    private static async Task<(string Name, Bundling.Manifest Manifest)> ReadBucketManifestAsync(
        Amazon.S3.AmazonS3Client s3, BundleLocation location, string manifestName, CancellationToken cancellationToken)
    {
        using var response = await s3.GetObjectAsync(location.Bucket, location.KeyOf(manifestName), cancellationToken);
        using var reader = new StreamReader(response.ResponseStream, new UTF8Encoding(false, throwOnInvalidBytes: true));
        var text = await reader.ReadToEndAsync(cancellationToken);
        return (manifestName, BundleStorage.ParseManifest(text, $"{location.Display}/{manifestName}"));
    }
}
